package accounts

import (
	"context"
	"fmt"
	"strings"

	"github.com/alexedwards/argon2id"
)

// OWASP's argon2id recommendation: m=19 MiB, t=2, p=1.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Pepperer keys a password with a secret only the authentication box holds, so a
// stolen database alone does not allow guessing passwords offline.
type Pepperer interface {
	Pepper(ctx context.Context, password []byte) ([]byte, error)
}

const pepperedPrefix = "p1:"

type passwords struct {
	pepper Pepperer
	dummy  string // verified against for unknown emails so timing does not reveal them
}

func newPasswords(p Pepperer) (*passwords, error) {
	pw := &passwords{pepper: p}
	d, err := argon2id.CreateHash("dummy password for timing", hashParams)
	if err != nil {
		return nil, fmt.Errorf("accounts: dummy hash: %w", err)
	}
	pw.dummy = d
	return pw, nil
}

func (p *passwords) input(ctx context.Context, password string) (string, error) {
	if p.pepper == nil {
		return password, nil
	}
	k, err := p.pepper.Pepper(ctx, []byte(password))
	if err != nil {
		return "", fmt.Errorf("accounts: pepper password: %w", err)
	}
	return string(k), nil
}

func (p *passwords) hash(ctx context.Context, password string) (string, error) {
	in, err := p.input(ctx, password)
	if err != nil {
		return "", err
	}
	h, err := argon2id.CreateHash(in, hashParams)
	if err != nil {
		return "", fmt.Errorf("accounts: hash password: %w", err)
	}
	if p.pepper != nil {
		h = pepperedPrefix + h
	}
	return h, nil
}

// verify checks password against stored; an empty stored hash (unknown user,
// invited user) is checked against the dummy hash and always fails.
func (p *passwords) verify(ctx context.Context, password, stored string) (bool, error) {
	if stored == "" {
		argon2id.ComparePasswordAndHash(password, p.dummy)
		return false, nil
	}
	in := password
	if h, ok := strings.CutPrefix(stored, pepperedPrefix); ok {
		if p.pepper == nil {
			return false, fmt.Errorf("accounts: password is peppered but no authentication box is configured")
		}
		var err error
		if in, err = p.input(ctx, password); err != nil {
			return false, err
		}
		stored = h
	}
	ok, err := argon2id.ComparePasswordAndHash(in, stored)
	if err != nil {
		return false, fmt.Errorf("accounts: compare password: %w", err)
	}
	return ok, nil
}

// validatePassword is the one password rule: long enough, not absurdly
// long, and not on the list of leaked passwords.
func validatePassword(pw string) string {
	switch {
	case len(pw) < 10:
		return "Use at least 10 characters."
	case len(pw) > 200:
		return "Use at most 200 characters."
	case isCommonPassword(pw):
		return "This password is on a list of common, leaked passwords that attackers try first. Choose another; a few unrelated words work well."
	}
	return ""
}
