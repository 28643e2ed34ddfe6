package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// Login links carry a signed token: the user id, the expiry, a random
// nonce and an HMAC-SHA256 over them (cut to 16 bytes) with the
// deployment's console key. Anyone with the key can make a link, so the
// command line makes them without the server (`layanan konsol-link`); the
// server alone redeems them, and marks each nonce used in the store so a
// link works once.

// LinkTTL is how long a login link is valid.
const LinkTTL = 10 * time.Minute

const (
	keySize   = 32
	nonceSize = 16
	macSize   = 16
	tokenSize = 8 + 8 + nonceSize + macSize
)

// Errors of a login token.
var (
	ErrBadToken     = errors.New("console: the login link is not valid")
	ErrExpiredToken = errors.New("console: the login link has expired")
	ErrUsedToken    = errors.New("console: the login link was used already")
)

// KeyFile is the console key's file in DATA_DIR for the embedded store.
const KeyFile = "console.key"

// keyName is the console key's name in a shared store (Redis).
const keyName = "konsol:key"

// keyTTL keeps the shared key for ten years; it is made again (and old
// links stop working) only if it is lost.
const keyTTL = 3650 * 24 * time.Hour

// LoadKey returns the console key: with a shared store (Redis, so that
// every replica and the command line agree), the one kept there, made by
// the first process that needs it; otherwise the file at path, made when
// missing (0600).
func LoadKey(ctx context.Context, shared bot.TempStore, path string) ([]byte, error) {
	if shared != nil {
		fresh := make([]byte, keySize)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("console: key: %w", err)
		}
		if _, err := shared.AddTemp(ctx, keyName, fresh, keyTTL); err != nil {
			return nil, fmt.Errorf("console: key: %w", err)
		}
		key, found, err := shared.Temp(ctx, keyName)
		if err != nil || !found || len(key) != keySize {
			return nil, fmt.Errorf("console: key: found %v, %d bytes: %w", found, len(key), err)
		}
		return key, nil
	}
	if key, err := os.ReadFile(path); err == nil {
		if len(key) != keySize {
			return nil, fmt.Errorf("console: key file %s has %d bytes, want %d (delete it to make a new one)", path, len(key), keySize)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("console: key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("console: key: %w", err)
	}
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("console: key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Another process made it meanwhile.
		return LoadKey(ctx, nil, path)
	}
	if err != nil {
		return nil, fmt.Errorf("console: key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("console: key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("console: key: %w", err)
	}
	return key, nil
}

// NewToken makes a login token for userID valid until now+LinkTTL.
func NewToken(key []byte, userID int64, now time.Time) (string, error) {
	b := make([]byte, 0, tokenSize)
	b = binary.BigEndian.AppendUint64(b, uint64(userID))
	b = binary.BigEndian.AppendUint64(b, uint64(now.Add(LinkTTL).Unix()))
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("console: token: %w", err)
	}
	b = append(b, nonce...)
	b = append(b, sign(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sign(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)[:macSize]
}

// token is a login token's content.
type token struct {
	userID  int64
	expires time.Time
	nonce   string
}

// parseToken checks a token's signature and expiry.
func parseToken(key []byte, s string, now time.Time) (token, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != tokenSize {
		return token{}, ErrBadToken
	}
	body, mac := b[:tokenSize-macSize], b[tokenSize-macSize:]
	if !hmac.Equal(mac, sign(key, body)) {
		return token{}, ErrBadToken
	}
	t := token{
		userID:  int64(binary.BigEndian.Uint64(body[:8])),
		expires: time.Unix(int64(binary.BigEndian.Uint64(body[8:16])), 0),
		nonce:   base64.RawURLEncoding.EncodeToString(body[16:]),
	}
	if !now.Before(t.expires) {
		return t, ErrExpiredToken
	}
	return t, nil
}

// Links makes login links for a console at a public base URL.
type Links struct {
	Base *url.URL
	Key  []byte
	Now  func() time.Time
}

// Link returns a login link for userID, valid LinkTTL and once.
func (l Links) Link(userID int64) (string, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	t, err := NewToken(l.Key, userID, now())
	if err != nil {
		return "", err
	}
	u := *l.Base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/masuk"
	u.RawQuery = url.Values{"t": {t}}.Encode()
	return u.String(), nil
}
