package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/sprintkit/sprintkit/internal/hint"
)

// Limits on what a claim holds.
const (
	MaxName   = 64  // characters
	MaxNote   = 280 // characters
	MaxTarget = 512 // bytes
)

// Store keeps the claims in a bbolt database (see the package doc for why).
type Store struct {
	db   *bolt.DB
	path string
}

var claimsBucket = []byte("claims")

// OpenStore opens (creating it when missing) the claims database at path.
func OpenStore(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, hint.With(fmt.Errorf("claims database %s: %w", path, err), "another 'sprintkit serve' is using it: stop that one, or pass --db with another file")
	}
	if err != nil {
		return nil, fmt.Errorf("open claims database %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(claimsBucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("claims database %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close claims database %s: %w", s.path, err)
	}
	return nil
}

// CheckClaim reports what is wrong with a claim's target, name and note,
// nil when nothing is. Surrounding blanks are trimmed first.
func CheckClaim(c *Claim) error {
	c.Target, c.Name, c.Note = strings.TrimSpace(c.Target), strings.TrimSpace(c.Name), strings.TrimSpace(c.Note)
	switch {
	case c.Target == "":
		return errors.New("a claim needs a target")
	case len(c.Target) > MaxTarget:
		return fmt.Errorf("target is longer than %d bytes", MaxTarget)
	case c.Name == "":
		return errors.New("a claim needs a name")
	case utf8.RuneCountInString(c.Name) > MaxName:
		return fmt.Errorf("name is longer than %d characters", MaxName)
	case utf8.RuneCountInString(c.Note) > MaxNote:
		return fmt.Errorf("note is longer than %d characters", MaxNote)
	}
	for field, v := range map[string]string{"target": c.Target, "name": c.Name, "note": c.Note} {
		if !utf8.ValidString(v) {
			return fmt.Errorf("%s is not valid UTF-8", field)
		}
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return fmt.Errorf("%s holds a control character", field)
		}
		if i := strings.IndexFunc(v, isBidiControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(v[i:])
			return fmt.Errorf("%s holds a bidirectional control character (U+%04X), which reorders what others see", field, r)
		}
	}
	if c.Credit != nil {
		if c.Done == nil {
			return errors.New("a credit comes with done: it is what finished work added")
		}
		if err := c.Credit.Check(); err != nil {
			return err
		}
	}
	return checkName(c.Name)
}

// checkName refuses a name that others could not read or tell apart: only
// printable characters (unicode.IsPrint: letters, marks, numbers,
// punctuation, symbols and the ASCII space), no format character (Cf: the
// zero-width space and joiners, bidirectional overrides, the byte order
// mark), and at least one character that shows.
func checkName(name string) error {
	visible := false
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("name holds an invisible or formatting character (U+%04X): a name is printable characters only", r)
		}
		if r != ' ' && !unicode.Is(unicode.M, r) && !blankLetter(r) {
			visible = true
		}
	}
	if !visible {
		return errors.New("name shows nothing: it needs at least one visible character")
	}
	return nil
}

// blankLetter reports the letters and symbols that draw nothing (the
// Hangul fillers, the blank Braille pattern).
func blankLetter(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800:
		return true
	}
	return false
}

// isBidiControl reports the characters that change the direction of the
// text around them (embeddings, overrides, isolates and the marks).
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// Claim records c (Since is set to now, or kept when c.Name already holds
// the target, whose note is then updated). A claim marked done (Done not
// nil, whatever its time) is done now, with its credit; one that is not
// keeps the done and credit its claimant already has. A target held by
// another name is a *ClaimedError. When Claim returns nil the claim is on
// disk.
func (s *Store) Claim(c Claim, now time.Time) (Claim, error) {
	if err := CheckClaim(&c); err != nil {
		return c, err
	}
	c.Since = now.UTC().Truncate(time.Second)
	if c.Done != nil {
		done := c.Since
		c.Done = &done
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(claimsBucket)
		if old := b.Get([]byte(c.Target)); old != nil {
			var o Claim
			if err := json.Unmarshal(old, &o); err == nil {
				if o.Name != c.Name {
					return &ClaimedError{Claim: o}
				}
				c.Since = o.Since
				if c.Done == nil {
					c.Done, c.Credit = o.Done, o.Credit
				}
			}
		}
		v, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return b.Put([]byte(c.Target), v)
	})
	if err != nil {
		var ce *ClaimedError
		if errors.As(err, &ce) {
			return c, err
		}
		return c, fmt.Errorf("claim %s: %w", c.Target, err)
	}
	return c, nil
}

// Release removes the claim on target and returns it; false when there
// was none. A holder other than "" must be the claimant's name, else the
// claim stays and the error is a *NotYoursError.
func (s *Store) Release(target, holder string) (Claim, bool, error) {
	var c Claim
	found := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(claimsBucket)
		old := b.Get([]byte(target))
		if old == nil {
			return nil
		}
		found = true
		json.Unmarshal(old, &c)
		if holder != "" && holder != c.Name {
			return &NotYoursError{Claim: c}
		}
		return b.Delete([]byte(target))
	})
	var ny *NotYoursError
	if errors.As(err, &ny) {
		return c, true, err
	}
	if err != nil {
		return c, false, fmt.Errorf("release %s: %w", target, err)
	}
	return c, found, nil
}

// All returns every claim, oldest first.
func (s *Store) All() ([]Claim, error) {
	var out []Claim
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(claimsBucket).ForEach(func(k, v []byte) error {
			var c Claim
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("claim %q: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read claims database %s: %w", s.path, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Since.Equal(out[j].Since) {
			return out[i].Since.Before(out[j].Since)
		}
		return out[i].Target < out[j].Target
	})
	return out, nil
}
