package accounts

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

// SignUpInput is the sign-up form.
type SignUpInput struct {
	Name, Company, Email, Password string
	Address                        Address
}

var zipRe = regexp.MustCompile(`^\d{5}(-?\d{4})?$`)

// usStates are the USPS two-letter codes of states, DC, territories and military "states".
var usStates = strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI FM MH PW AA AE AP`)

const emailTaken = "An account with this email already exists. Log in instead."

// defaultSignUpsPerHour is how many accounts one network address may open
// an hour when Options.SignUpsPerHour is not set.
const defaultSignUpsPerHour = 5

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func validateEmail(f apperr.Fields, field, e string) {
	a, err := mail.ParseAddress(e)
	if e == "" {
		f[field] = "Enter your email address."
	} else if err != nil || a.Address != e || !strings.Contains(e[strings.IndexByte(e, '@')+1:], ".") {
		f[field] = "Enter an email address like name@example.com."
	}
}

func validateName(f apperr.Fields, field, label, v string, max int) {
	switch {
	case strings.TrimSpace(v) == "":
		f[field] = "Enter " + label + "."
	case len(v) > max:
		f[field] = fmt.Sprintf("Use at most %d characters.", max)
	}
}

// validateAddress checks a mailing address and returns its normalized form.
func validateAddress(f apperr.Fields, a Address) Address {
	a.Line1, a.Line2, a.City = strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2), strings.TrimSpace(a.City)
	a.State = strings.ToUpper(strings.TrimSpace(a.State))
	a.ZIP = strings.TrimSpace(a.ZIP)
	validateName(f, "address_line1", "the street address", a.Line1, 100)
	validateName(f, "city", "the city", a.City, 60)
	found := false
	for _, s := range usStates {
		found = found || s == a.State
	}
	if !found {
		f["state"] = "Enter the two-letter state code, like NY."
	}
	if !zipRe.MatchString(a.ZIP) {
		f["zip"] = "Enter a 5-digit ZIP code, like 10001 (ZIP+4 is fine too)."
	}
	return a
}

// addressWellFormed reports whether no address field was refused for its form.
func addressWellFormed(f apperr.Fields) bool {
	for _, k := range []string{"address_line1", "city", "state", "zip"} {
		if _, bad := f[k]; bad {
			return false
		}
	}
	return true
}

// SignUp creates a master account with the next customer ID and its owner user,
// in one transaction (the seed's sign-up process).
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (User, Account, error) {
	return s.signUp(ctx, in, false)
}

// signUp is SignUp; standardize also cleanses the address (the public
// sign-up), once its fields are each well formed.
func (s *Service) signUp(ctx context.Context, in SignUpInput, standardize bool) (User, Account, error) {
	f := apperr.Fields{}
	in.Name, in.Company, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.Company), normalizeEmail(in.Email)
	validateName(f, "name", "your name", in.Name, 100)
	validateName(f, "company", "your company name", in.Company, 100)
	validateEmail(f, "email", in.Email)
	if m := validatePassword(in.Password); m != "" {
		f["password"] = m
	}
	in.Address = validateAddress(f, in.Address)
	if standardize && s.opt.Addresses != nil && addressWellFormed(f) {
		std, probs := s.opt.Addresses.StandardizeAddress(in.Address)
		for k, v := range probs {
			f[k] = v
		}
		if len(probs) == 0 {
			in.Address = std
		}
	}
	if err := f.Err(); err != nil {
		return User{}, Account{}, err
	}
	hash, err := s.pw.hash(ctx, in.Password)
	if err != nil {
		return User{}, Account{}, err
	}
	now := s.now()
	acct := Account{Company: in.Company, Address: in.Address, OriginZIP: in.Address.ZIP[:5], CreatedAt: now}
	user := User{Email: in.Email, Name: in.Name, Role: RoleOwner, Permissions: Permissions, CreatedAt: now}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO master_accounts (company, address_line1, address_line2, city, state, zip, origin_zip, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id, customer_id`,
			acct.Company, acct.Address.Line1, acct.Address.Line2, acct.Address.City, acct.Address.State, acct.Address.ZIP, acct.OriginZIP, now,
		).Scan(&acct.ID, &acct.CustomerID); err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		user.AccountID = acct.ID
		return tx.QueryRow(ctx, `INSERT INTO users (account_id, email, name, password_hash, role, permissions, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING id`,
			acct.ID, user.Email, user.Name, hash, string(RoleOwner), permStrings(Permissions), now).Scan(&user.ID)
	})
	if db.IsUniqueViolation(err, "users_email_key") {
		return User{}, Account{}, apperr.Fields{"email": emailTaken}.Err()
	}
	if err != nil {
		return User{}, Account{}, fmt.Errorf("accounts: sign up: %w", err)
	}
	return user, acct, nil
}

// SignUpResult is what a public sign-up did. The page shows the same answer
// whether or not the address had an account: Created is for the caller's
// next step (a meter), never for the person signing up.
type SignUpResult struct {
	Created bool
	User    User
	Account Account
}

// SignUpFromWeb is the public sign-up: throttled per network address, and
// answering the same for a new and an existing email. A new owner is sent a
// confirmation link; the owner of an existing address is told by email that
// someone tried to sign up with it.
func (s *Service) SignUpFromWeb(ctx context.Context, in SignUpInput, ip string) (SignUpResult, error) {
	limit := s.opt.SignUpsPerHour
	if limit <= 0 {
		limit = defaultSignUpsPerHour
	}
	if err := s.allow(ctx, "signupip:"+ip, int64(limit), time.Hour); err != nil {
		return SignUpResult{}, apperr.RateLimited("Too many sign-ups from your network. Try again in an hour.")
	}
	u, acct, err := s.signUp(ctx, in, true)
	if f, ok := apperr.AsFields(err); ok && f["email"] == emailTaken && len(f) == 1 {
		email := normalizeEmail(in.Email)
		body := fmt.Sprintf("Hello,\n\nSomeone just tried to sign up for Indicia with %s, which already has an account.\n\n"+
			"If it was you, log in at %s/login (or reset your password at %s/password/forgot). If it was not, you need not do anything: no account was changed.\n",
			email, s.opt.BaseURL, s.opt.BaseURL)
		s.send(ctx, email, "Someone tried to sign up with your email address", body)
		return SignUpResult{}, nil
	}
	if err != nil {
		return SignUpResult{}, err
	}
	if err := s.SendVerification(ctx, u); err != nil {
		return SignUpResult{}, err
	}
	return SignUpResult{Created: true, User: u, Account: acct}, nil
}
