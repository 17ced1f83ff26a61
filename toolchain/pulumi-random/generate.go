package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"math/big"
	mathrand "math/rand"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Character classes of RandomPassword/RandomString (the same as the real provider's).
const (
	upperChars          = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars          = "abcdefghijklmnopqrstuvwxyz"
	numericChars        = "0123456789"
	defaultSpecialChars = "!@#$%&*()-_=+[]{}<>:?"
)

// entropy is the source of all randomness except seeded RandomInteger results;
// tests replace it to exercise failures.
var entropy io.Reader = rand.Reader

// randIndex returns a uniformly distributed integer in [0, n) (rejection sampling
// inside crypto/rand.Int, so no modulo bias).
func randIndex(n int) (int, error) {
	if n <= 0 {
		return 0, fmt.Errorf("cannot pick from an empty set")
	}
	i, err := rand.Int(entropy, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("reading random bytes: %w", err)
	}
	return int(i.Int64()), nil
}

// stringParams are the RandomPassword/RandomString generation inputs.
type stringParams struct {
	length                                     int
	upper, lower, numeric, special             bool
	minUpper, minLower, minNumeric, minSpecial int
	overrideSpecial                            string
}

// specialSet is the set the special characters come from: overrideSpecial when it
// is not empty, the default set otherwise.
func (p stringParams) specialSet() []rune {
	if p.overrideSpecial != "" {
		return []rune(p.overrideSpecial)
	}
	return []rune(defaultSpecialChars)
}

// generateString builds a random string the way the real provider does: first the
// min* characters of each class (a class's minimum applies even when the class itself
// is disabled, as upstream), then the rest from the union of the enabled classes, then
// an unbiased Fisher-Yates shuffle so the guaranteed characters are not in front. Each
// character is drawn uniformly with crypto/rand. Lengths count characters (runes), so
// a multi-byte overrideSpecial character is never split.
func generateString(p stringParams) (string, error) {
	if p.length < 1 {
		return "", fmt.Errorf("length must be at least 1, got %d", p.length)
	}
	if p.minUpper < 0 || p.minLower < 0 || p.minNumeric < 0 || p.minSpecial < 0 {
		return "", errors.New("min* values must not be negative")
	}
	mins := p.minUpper + p.minLower + p.minNumeric + p.minSpecial
	if mins > p.length {
		return "", fmt.Errorf("length (%d) must be >= minUpper + minLower + minNumeric + minSpecial (%d)", p.length, mins)
	}
	special := p.specialSet()
	var pool []rune
	if p.upper {
		pool = append(pool, []rune(upperChars)...)
	}
	if p.lower {
		pool = append(pool, []rune(lowerChars)...)
	}
	if p.numeric {
		pool = append(pool, []rune(numericChars)...)
	}
	if p.special {
		pool = append(pool, special...)
	}
	if len(pool) == 0 && p.length > mins {
		return "", errors.New("at least one of upper, lower, numeric and special must be true")
	}

	out := make([]rune, 0, p.length)
	draw := func(set []rune, n int) error {
		for range n {
			i, err := randIndex(len(set))
			if err != nil {
				return err
			}
			out = append(out, set[i])
		}
		return nil
	}
	for _, c := range []struct {
		set []rune
		n   int
	}{
		{[]rune(upperChars), p.minUpper},
		{[]rune(lowerChars), p.minLower},
		{[]rune(numericChars), p.minNumeric},
		{special, p.minSpecial},
	} {
		if err := draw(c.set, c.n); err != nil {
			return "", err
		}
	}
	if err := draw(pool, p.length-mins); err != nil {
		return "", err
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := randIndex(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// bcryptMaxBytes is the longest input bcrypt uses; longer passwords are hashed on
// their first 72 bytes, as the real provider documents.
const bcryptMaxBytes = 72

// bcryptHash hashes a password with bcrypt's default cost.
func bcryptHash(password string) (string, error) {
	b := []byte(password)
	if len(b) > bcryptMaxBytes {
		b = b[:bcryptMaxBytes]
	}
	h, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("bcrypt: %w", err)
	}
	return string(h), nil
}

// randomBytes reads n bytes from the entropy source.
func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(entropy, b); err != nil {
		return nil, fmt.Errorf("reading random bytes: %w", err)
	}
	return b, nil
}

// idEncodings are the RandomId outputs of a byte string (each with the prefix).
type idEncodings struct {
	id, hex, b64Std, b64URL, dec string
}

func encodeID(b []byte, prefix string) idEncodings {
	raw := base64.RawURLEncoding.EncodeToString(b)
	return idEncodings{
		id:     raw, // the resource ID has no prefix, as upstream
		hex:    prefix + hex.EncodeToString(b),
		b64Std: prefix + base64.StdEncoding.EncodeToString(b),
		b64URL: prefix + raw,
		dec:    prefix + new(big.Int).SetBytes(b).String(),
	}
}

// randomInteger returns an integer in [min, max]. Without a seed it is uniform from
// crypto/rand. With a seed it is deterministic and the same value the real provider
// gives for that seed (math/rand seeded with the CRC-64/ISO checksum of the seed).
func randomInteger(min, max int64, seed string) (int64, error) {
	if max < min {
		return 0, fmt.Errorf("min (%d) must be less than or equal to max (%d)", min, max)
	}
	span := new(big.Int).Sub(big.NewInt(max), big.NewInt(min))
	span.Add(span, big.NewInt(1))
	if seed != "" {
		if !span.IsInt64() || span.Int64() > int64(^uint(0)>>1) {
			return 0, fmt.Errorf("range [%d, %d] is too large for a seeded result", min, max)
		}
		return int64(seededRand(seed).Intn(int(span.Int64()))) + min, nil
	}
	n, err := rand.Int(entropy, span)
	if err != nil {
		return 0, fmt.Errorf("reading random bytes: %w", err)
	}
	return n.Add(n, big.NewInt(min)).Int64(), nil
}

// shuffle returns count items (len(items) when count is 0) drawn as successive random
// permutations of items, so no item repeats more often than the list is exhausted.
// Without a seed the permutations are uniform from crypto/rand; with a seed they are
// deterministic and the same as the real provider's for that seed.
func shuffle(items []string, count int, seed string) ([]string, error) {
	if count == 0 {
		count = len(items)
	}
	out := make([]string, 0, count)
	if len(items) == 0 {
		return out, nil
	}
	perm := func() ([]int, error) {
		p := make([]int, len(items))
		for i := range p {
			p[i] = i
		}
		for i := len(p) - 1; i > 0; i-- {
			j, err := randIndex(i + 1)
			if err != nil {
				return nil, err
			}
			p[i], p[j] = p[j], p[i]
		}
		return p, nil
	}
	if seed != "" {
		r := seededRand(seed)
		perm = func() ([]int, error) { return r.Perm(len(items)), nil }
	}
	for len(out) < count {
		p, err := perm()
		if err != nil {
			return nil, err
		}
		for _, i := range p {
			if len(out) == count {
				break
			}
			out = append(out, items[i])
		}
	}
	return out, nil
}

// seededRand is the real provider's deterministic generator for a seed: math/rand
// seeded with the CRC-64 (ISO table) checksum of the seed string.
func seededRand(seed string) *mathrand.Rand {
	return mathrand.New(mathrand.NewSource(int64(crc64.Checksum([]byte(seed), crc64.MakeTable(crc64.ISO)))))
}

// formatUUID formats 16 bytes as 8-4-4-4-12 lowercase hex.
func formatUUID(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// uuidV4 returns a random (version 4, RFC 9562 variant) UUID.
func uuidV4() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b), nil
}

// now is the clock of version 7 UUIDs; tests replace it.
var now = time.Now

// uuidV7 returns a time-ordered (version 7) UUID: 48-bit Unix milliseconds, then
// random bits.
func uuidV7() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now().UnixMilli()))
	copy(b[0:6], ts[2:8])
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b), nil
}

// parseUUID validates the 8-4-4-4-12 hex form and returns it lowercased.
func parseUUID(s string) (string, error) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return "", fmt.Errorf("%q is not a UUID (8-4-4-4-12 hex digits)", s)
	}
	b, err := hex.DecodeString(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36])
	if err != nil {
		return "", fmt.Errorf("%q is not a UUID: %v", s, err)
	}
	return formatUUID(b), nil
}
