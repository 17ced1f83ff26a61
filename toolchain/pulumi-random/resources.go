package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
)

type failure struct{ property, reason string }

// kind describes one resource type of the @pulumi/random SDK.
type kind struct {
	inputs   []string // input properties (all force replacement)
	outputs  []string // properties computed at create
	secrets  []string // outputs stored as secrets
	check    func(resource.PropertyMap) []failure
	defaults func(resource.PropertyMap)
	create   func(resource.PropertyMap) (string, resource.PropertyMap, error)
}

func (k *kind) isInput(name string) bool  { return contains(k.inputs, name) }
func (k *kind) isSecret(name string) bool { return contains(k.secrets, name) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var stringInputs = []string{
	"keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper",
	"number", "numeric", "overrideSpecial", "special", "upper",
}

var kinds = map[string]*kind{
	"random:index/randomPassword:RandomPassword": {
		inputs: stringInputs, outputs: []string{"result", "bcryptHash"},
		secrets: []string{"result", "bcryptHash"},
		check:   checkString, defaults: defaultString, create: createPassword,
	},
	"random:index/randomString:RandomString": {
		inputs: stringInputs, outputs: []string{"result"},
		check: checkString, defaults: defaultString, create: createString,
	},
	"random:index/randomId:RandomId": {
		inputs: []string{"byteLength", "keepers", "prefix"}, outputs: []string{"b64Std", "b64Url", "dec", "hex"},
		check: checkID, create: createID,
	},
	"random:index/randomInteger:RandomInteger": {
		inputs: []string{"keepers", "max", "min", "seed"}, outputs: []string{"result"},
		check: checkInteger, create: createInteger,
	},
	"random:index/randomUuid:RandomUuid": {
		inputs: []string{"keepers"}, outputs: []string{"result"},
		check: noCheck, create: createUUID4,
	},
	"random:index/randomUuid4:RandomUuid4": {
		inputs: []string{"keepers"}, outputs: []string{"result"},
		check: noCheck, create: createUUID4,
	},
	"random:index/randomUuid7:RandomUuid7": {
		inputs: []string{"keepers"}, outputs: []string{"result"},
		check: noCheck, create: createUUID7,
	},
	"random:index/randomBytes:RandomBytes": {
		inputs: []string{"keepers", "length"}, outputs: []string{"base64", "hex"},
		secrets: []string{"base64", "hex"},
		check:   checkBytes, create: createBytes,
	},
	"random:index/randomShuffle:RandomShuffle": {
		inputs: []string{"inputs", "keepers", "resultCount", "seed"}, outputs: []string{"results"},
		check: noCheck, create: createShuffle,
	},
}

// ---- property helpers -------------------------------------------------------------------

func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func known(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok {
		return v, false
	}
	v = plain(v)
	if v.IsNull() || v.ContainsUnknowns() {
		return v, false
	}
	return v, true
}

func intOf(m resource.PropertyMap, key string, def int) int {
	if v, ok := known(m, key); ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}

func boolOf(m resource.PropertyMap, key string, def bool) bool {
	if v, ok := known(m, key); ok && v.IsBool() {
		return v.BoolValue()
	}
	return def
}

func stringOf(m resource.PropertyMap, key, def string) string {
	if v, ok := known(m, key); ok && v.IsString() {
		return v.StringValue()
	}
	return def
}

func required(m resource.PropertyMap, key string) []failure {
	if _, ok := m[resource.PropertyKey(key)]; !ok {
		return []failure{{key, fmt.Sprintf("missing required property '%s'", key)}}
	}
	return nil
}

func noCheck(resource.PropertyMap) []failure { return nil }

// ---- RandomPassword / RandomString ---------------------------------------------------------

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	// Terraform random's default special characters.
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

func checkString(m resource.PropertyMap) []failure {
	if f := required(m, "length"); f != nil {
		return f
	}
	length, ok := known(m, "length")
	if !ok {
		return nil
	}
	if !length.IsNumber() || length.NumberValue() < 1 {
		return []failure{{"length", "length must be a number >= 1"}}
	}
	mins := 0
	for _, k := range []string{"minLower", "minUpper", "minNumeric", "minSpecial"} {
		n := intOf(m, k, 0)
		if n < 0 {
			return []failure{{k, k + " must be >= 0"}}
		}
		mins += n
	}
	if mins > int(length.NumberValue()) {
		return []failure{{"length", fmt.Sprintf(
			"length (%d) must be >= minLower + minUpper + minNumeric + minSpecial (%d)",
			int(length.NumberValue()), mins)}}
	}
	return nil
}

func defaultString(m resource.PropertyMap) {
	set := func(key string, v resource.PropertyValue) {
		if _, ok := m[resource.PropertyKey(key)]; !ok {
			m[resource.PropertyKey(key)] = v
		}
	}
	for _, k := range []string{"lower", "upper", "special"} {
		set(k, resource.NewBoolProperty(true))
	}
	// `number` is the deprecated spelling of `numeric`; either one sets both.
	numeric := true
	if v, ok := known(m, "numeric"); ok && v.IsBool() {
		numeric = v.BoolValue()
	} else if v, ok := known(m, "number"); ok && v.IsBool() {
		numeric = v.BoolValue()
	}
	set("numeric", resource.NewBoolProperty(numeric))
	set("number", resource.NewBoolProperty(numeric))
	for _, k := range []string{"minLower", "minUpper", "minNumeric", "minSpecial"} {
		set(k, resource.NewNumberProperty(0))
	}
}

func randomString(m resource.PropertyMap) (string, error) {
	length := intOf(m, "length", 0)
	special := specialChars
	if s := stringOf(m, "overrideSpecial", ""); s != "" {
		special = s
	}
	numeric := boolOf(m, "numeric", boolOf(m, "number", true))
	sets := []struct {
		enabled bool
		chars   string
		min     int
	}{
		{boolOf(m, "lower", true), lowerChars, intOf(m, "minLower", 0)},
		{boolOf(m, "upper", true), upperChars, intOf(m, "minUpper", 0)},
		{numeric, numericChars, intOf(m, "minNumeric", 0)},
		{boolOf(m, "special", true), special, intOf(m, "minSpecial", 0)},
	}
	var out []byte
	all := ""
	for _, s := range sets {
		for i := 0; i < s.min; i++ {
			c, err := pick(s.chars)
			if err != nil {
				return "", err
			}
			out = append(out, c)
		}
		if s.enabled {
			all += s.chars
		}
	}
	if all == "" && len(out) < length {
		return "", errors.New("no character set enabled (lower, upper, numeric and special are all false)")
	}
	for len(out) < length {
		c, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, c)
	}
	// Shuffle so the minimum-count characters are not at the front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(chars string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, err
	}
	return chars[n.Int64()], nil
}

func createString(m resource.PropertyMap) (string, resource.PropertyMap, error) {
	s, err := randomString(m)
	if err != nil {
		return "", nil, err
	}
	return s, resource.PropertyMap{"result": resource.NewStringProperty(s)}, nil
}

func createPassword(m resource.PropertyMap) (string, resource.PropertyMap, error) {
	s, err := randomString(m)
	if err != nil {
		return "", nil, err
	}
	in := []byte(s)
	if len(in) > 72 { // bcrypt reads at most 72 bytes
		in = in[:72]
	}
	hash, err := bcrypt.GenerateFromPassword(in, bcrypt.DefaultCost)
	if err != nil {
		return "", nil, err
	}
	return "none", resource.PropertyMap{
		"result":     resource.NewStringProperty(s),
		"bcryptHash": resource.NewStringProperty(string(hash)),
	}, nil
}

// ---- RandomId ---------------------------------------------------------------------------

func checkID(m resource.PropertyMap) []failure {
	if f := required(m, "byteLength"); f != nil {
		return f
	}
	if v, ok := known(m, "byteLength"); ok && (!v.IsNumber() || v.NumberValue() < 1) {
		return []failure{{"byteLength", "byteLength must be a number >= 1"}}
	}
	return nil
}

func createID(m resource.PropertyMap) (string, resource.PropertyMap, error) {
	b := make([]byte, intOf(m, "byteLength", 0))
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	prefix := stringOf(m, "prefix", "")
	url := base64.RawURLEncoding.EncodeToString(b)
	return url, resource.PropertyMap{
		"b64Url": resource.NewStringProperty(prefix + url),
		"b64Std": resource.NewStringProperty(prefix + base64.StdEncoding.EncodeToString(b)),
		"hex":    resource.NewStringProperty(prefix + hex.EncodeToString(b)),
		"dec":    resource.NewStringProperty(prefix + new(big.Int).SetBytes(b).String()),
	}, nil
}

// ---- RandomInteger / RandomShuffle (optionally seeded) -------------------------------------

func checkInteger(m resource.PropertyMap) []failure {
	if f := append(required(m, "min"), required(m, "max")...); len(f) > 0 {
		return f
	}
	minV, ok1 := known(m, "min")
	maxV, ok2 := known(m, "max")
	if ok1 && ok2 && minV.IsNumber() && maxV.IsNumber() && maxV.NumberValue() < minV.NumberValue() {
		return []failure{{"max", "max must be >= min"}}
	}
	return nil
}

// source returns a deterministic generator for a seed, or a crypto-seeded one without.
func source(m resource.PropertyMap) (*mrand.Rand, error) {
	var seed [32]byte
	if s, ok := known(m, "seed"); ok && s.IsString() && s.StringValue() != "" {
		seed = sha256.Sum256([]byte(s.StringValue()))
	} else if _, err := rand.Read(seed[:]); err != nil {
		return nil, err
	}
	return mrand.New(mrand.NewChaCha8(seed)), nil
}

func createInteger(m resource.PropertyMap) (string, resource.PropertyMap, error) {
	r, err := source(m)
	if err != nil {
		return "", nil, err
	}
	lo, hi := intOf(m, "min", 0), intOf(m, "max", 0)
	n := lo + int(r.Int64N(int64(hi-lo)+1))
	return strconv.Itoa(n), resource.PropertyMap{"result": resource.NewNumberProperty(float64(n))}, nil
}

func createShuffle(m resource.PropertyMap) (string, resource.PropertyMap, error) {
	r, err := source(m)
	if err != nil {
		return "", nil, err
	}
	var items []resource.PropertyValue
	if v, ok := known(m, "inputs"); ok && v.IsArray() {
		items = v.ArrayValue()
	}
	count := intOf(m, "resultCount", len(items))
	results := []resource.PropertyValue{}
	for len(items) > 0 && len(results) < count {
		for _, i := range r.Perm(len(items)) {
			if len(results) == count {
				break
			}
			results = append(results, items[i])
		}
	}
	return "-", resource.PropertyMap{"results": resource.NewArrayProperty(results)}, nil
}

// ---- RandomUuid / RandomUuid4 / RandomUuid7 / RandomBytes ----------------------------------

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

func createUUID4(resource.PropertyMap) (string, resource.PropertyMap, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	u := formatUUID(b)
	return u, resource.PropertyMap{"result": resource.NewStringProperty(u)}, nil
}

func createUUID7(resource.PropertyMap) (string, resource.PropertyMap, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(time.Now().UnixMilli()))
	copy(b[0:6], ms[2:8]) // 48-bit Unix time in milliseconds
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	u := formatUUID(b)
	return u, resource.PropertyMap{"result": resource.NewStringProperty(u)}, nil
}

func checkBytes(m resource.PropertyMap) []failure {
	if f := required(m, "length"); f != nil {
		return f
	}
	if v, ok := known(m, "length"); ok && (!v.IsNumber() || v.NumberValue() < 1) {
		return []failure{{"length", "length must be a number >= 1"}}
	}
	return nil
}

func createBytes(m resource.PropertyMap) (string, resource.PropertyMap, error) {
	b := make([]byte, intOf(m, "length", 0))
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	return "none", resource.PropertyMap{
		"base64": resource.NewStringProperty(base64.StdEncoding.EncodeToString(b)),
		"hex":    resource.NewStringProperty(hex.EncodeToString(b)),
	}, nil
}
