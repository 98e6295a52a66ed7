package checkout

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshGitServer is an SSH server on 127.0.0.1 that runs the real `git
// upload-pack` for "git-upload-pack '/path'" commands, with repositories
// under root, accepting one client public key.
type sshGitServer struct {
	addr    string
	hostKey ssh.PublicKey
}

func startSSHGitServer(t *testing.T, root string, allowed ssh.PublicKey) *sshGitServer {
	t.Helper()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(key.Marshal(), allowed.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("key not authorised")
		},
	}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSSH(c, cfg, root)
		}
	}()
	return &sshGitServer{addr: ln.Addr().String(), hostKey: hostSigner.PublicKey()}
}

func serveSSH(c net.Conn, cfg *ssh.ServerConfig, root string) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			defer ch.Close()
			for req := range creqs {
				if req.Type != "exec" {
					req.Reply(false, nil)
					continue
				}
				var p struct{ Command string }
				ssh.Unmarshal(req.Payload, &p)
				svc, path, _ := strings.Cut(p.Command, " ")
				path = strings.Trim(path, "'")
				if svc != "git-upload-pack" {
					req.Reply(false, nil)
					return
				}
				req.Reply(true, nil)
				cmd := exec.Command("git", "upload-pack", filepath.Join(root, filepath.FromSlash(path)))
				cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
				code := 0
				if err := cmd.Run(); err != nil {
					code = 128
				}
				ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
				return
			}
		}()
	}
}

// clientKey writes a fresh unencrypted OpenSSH private key and returns its
// path, its key and its signer.
func clientKey(t *testing.T) (string, ed25519.PrivateKey, ssh.PublicKey) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(priv)
	return file, priv, signer.PublicKey()
}

// startAgent serves an SSH agent holding keys on a unix socket and points
// SSH_AUTH_SOCK at it.
func startAgent(t *testing.T, keys ...ed25519.PrivateKey) {
	t.Helper()
	kr := agent.NewKeyring()
	for _, k := range keys {
		if err := kr.Add(agent.AddedKey{PrivateKey: k}); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix sockets: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { agent.ServeAgent(kr, c); c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
}

func TestCloneOverSSH(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix agent socket")
	}
	f := newFixture(t)
	keyFile, priv, pub := clientKey(t)
	_, otherPriv, _ := clientKey(t)
	srv := startSSHGitServer(t, f.root, pub)
	url := fmt.Sprintf("ssh://git@%s/project.git", srv.addr)

	known := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(known, []byte(knownhosts.Line([]string{knownhosts.Normalize(srv.addr)}, srv.hostKey)+"\n"), 0o644)
	t.Setenv("SSH_KNOWN_HOSTS", known)

	t.Run("a key file given with --ssh-key authenticates", func(t *testing.T) {
		t.Setenv("SSH_AUTH_SOCK", "")
		dst := filepath.Join(t.TempDir(), "p")
		res, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1, SSHKey: keyFile})
		if err != nil {
			t.Fatalf("Clone: %v", err)
		}
		if res.Commit != f.head || res.Files != 5 {
			t.Errorf("got %s with %d files, want %s with 5", res.Commit, res.Files, f.head)
		}
	})
	t.Run("the SSH agent's key authenticates", func(t *testing.T) {
		startAgent(t, priv)
		dst := filepath.Join(t.TempDir(), "p")
		if _, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1}); err != nil {
			t.Fatalf("Clone: %v", err)
		}
	})
	t.Run("a key the server does not know is refused with advice", func(t *testing.T) {
		startAgent(t, otherPriv)
		dst := filepath.Join(t.TempDir(), "p")
		_, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1})
		var ce *Error
		if !errors.As(err, &ce) || ce.Kind != ErrAuth || !strings.Contains(ce.Msg, "did not accept your SSH key") || !strings.Contains(ce.Hint, "ssh-add") {
			t.Fatalf("err = %v, want an ssh key refusal with a hint", err)
		}
		if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("destination left behind")
		}
	})
	t.Run("an unknown host key is not trusted", func(t *testing.T) {
		startAgent(t, priv)
		empty := filepath.Join(t.TempDir(), "known_hosts")
		os.WriteFile(empty, nil, 0o644)
		t.Setenv("SSH_KNOWN_HOSTS", empty)
		dst := filepath.Join(t.TempDir(), "p")
		_, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1})
		var ce *Error
		if !errors.As(err, &ce) || ce.Kind != ErrAuth || !strings.Contains(ce.Msg, "known_hosts") {
			t.Fatalf("err = %v, want a host key refusal", err)
		}
		if testing.Verbose() {
			t.Logf("%s / %s", ce.Msg, ce.Hint)
		}
	})
}
