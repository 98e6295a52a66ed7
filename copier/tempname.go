package copier

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// tempName returns a new temporary name of this run.
func (w *worker) tempName() string {
	b := append(w.nameBuf[:0], w.tmpBase...)
	b = appendHex(b, w.tmpSeq.Add(1))
	w.nameBuf = b
	return string(b)
}

// ownTemp reports whether name is a temporary of this run.
func (e *engine) ownTemp(name string) bool { return strings.HasPrefix(name, e.tmpBase) }

// newRunToken returns 16 random hex digits: what makes a run's temporary
// names its own.
func newRunToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return hex.EncodeToString(b[:])
}

// IsTempName reports whether name has the form of a temporary name of the
// copier (TempPrefix, 16 hex digits, "-", hex digits). Only a run that was
// killed (SIGKILL, a crash, a power loss) leaves one behind: on Linux with
// O_TMPFILE only in the moment between naming a finished file and renaming
// it into place, elsewhere also while the file is written. The copier never
// removes one that is not of its own run.
func IsTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, TempPrefix)
	if !ok || len(rest) < 18 || rest[16] != '-' {
		return false
	}
	for i, c := range []byte(rest) {
		if i != 16 && !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func appendHex(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
