package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"wanhu/internal/apperr"
)

// argon2id parameters (RFC 9106's second recommended option, with less
// memory so a community office PC logs in quickly). A hash carries its
// parameters, so a hash made with others still verifies.
var (
	argonTime    uint32 = 3
	argonMemory  uint32 = 64 * 1024
	argonThreads uint8  = 2
)

const argonKeyLen = 32

// argonSlots bounds how many argon2id hashes run at once in the process.
// Each takes argonMemory (64 MiB) while it runs, and signing in needs no
// account: eight logins at once would otherwise take half a gigabyte. The
// rest wait their turn, holding no more than their request. Each hash
// runs argonThreads lanes at once, so one fills the two cores of a
// community office PC (two at once took 128 MiB for no more sign-ins a
// second); a bigger machine runs one per two cores.
var argonSlots = make(chan struct{}, max(1, runtime.NumCPU()/2))

// argonPeak is the most hashes that ran at once, for the tests.
var argonRunning, argonPeak atomic.Int32

// idKey is argon2.IDKey in one of argonSlots.
func idKey(pw, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	now := argonRunning.Add(1)
	defer argonRunning.Add(-1)
	for peak := argonPeak.Load(); now > peak && !argonPeak.CompareAndSwap(peak, now); peak = argonPeak.Load() {
	}
	return argon2.IDKey(pw, salt, t, m, p, n)
}

// UseTestHashCost makes new password hashes cheap (argon2id with one pass
// over 64 KiB): for the tests of other packages, which create accounts by
// the dozen and would otherwise spend minutes hashing. Never call it in
// the program.
func UseTestHashCost() { argonTime, argonMemory, argonThreads = 1, 64, 1 }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// commonPasswords are refused whatever their length.
var commonPasswords = map[string]bool{
	"1234567890": true, "12345678910": true, "123456789a": true, "qwertyuiop": true, "1qaz2wsx3edc": true,
	"password123": true, "password1234": true, "iloveyou123": true, "a123456789": true, "woaini1314": true,
	"abc1234567": true, "admin12345": true, "admin123456": true, "0123456789": true, "1111111111": true,
	"aaaaaaaaaa": true, "qwerty123456": true, "zxcvbnm123": true, "5201314520": true, "wanhu12345": true,
}

// CheckPassword returns a FieldError for a password that is too short or
// too common.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return apperr.Field("password", "password_short", "must be at least %d characters", MinPasswordLength)
	}
	if commonPasswords[strings.ToLower(pw)] {
		return apperr.Field("password", "password_common", "is too common; choose another")
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in the PHC string format.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches a hash made by HashPassword.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := idKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
