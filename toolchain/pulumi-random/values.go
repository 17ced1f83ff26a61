package main

import (
	"math"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Helpers over resource.PropertyValue: the engine sends inputs that may be secret
// (wrapped), unknown (during preview) or, in theory, first-class output values.

// plain strips secret and known-output wrappers, reporting whether any were secret.
func plain(v resource.PropertyValue) (resource.PropertyValue, bool) {
	secret := false
	for {
		switch {
		case v.IsSecret():
			secret = true
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			o := v.OutputValue()
			secret = secret || o.Secret
			v = o.Element
		default:
			return v, secret
		}
	}
}

// unknown reports whether v (or anything inside it) is not known yet.
func unknown(v resource.PropertyValue) bool {
	return v.ContainsUnknowns()
}

// absent reports whether v is missing or null (after unwrapping).
func absent(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	if !ok {
		return true
	}
	p, _ := plain(v)
	return p.IsNull()
}

// knownBool returns the boolean at key when it is present, known and a bool.
func knownBool(m resource.PropertyMap, key string) (bool, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || unknown(v) {
		return false, false
	}
	p, _ := plain(v)
	if !p.IsBool() {
		return false, false
	}
	return p.BoolValue(), true
}

// knownInt returns the integer at key when it is present, known and an integral number.
func knownInt(m resource.PropertyMap, key string) (int64, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || unknown(v) {
		return 0, false
	}
	p, _ := plain(v)
	if !p.IsNumber() {
		return 0, false
	}
	n, ok := asInt(p.NumberValue())
	return n, ok
}

// asInt converts an integral float64 (how numbers travel over gRPC) to int64.
func asInt(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// knownString returns the string at key when it is present, known and a string.
func knownString(m resource.PropertyMap, key string) (string, bool) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || unknown(v) {
		return "", false
	}
	p, _ := plain(v)
	if !p.IsString() {
		return "", false
	}
	return p.StringValue(), true
}

// equalInputs compares two input values the way the real provider's plan does:
// secrets are compared by their contents, a null or missing string equals "" only for
// the keys in emptyIsNull, a missing map equals an empty one, and map entries whose
// value is null count as missing. An unknown value never equals anything.
func equalInputs(a, b resource.PropertyValue, emptyIsNull bool) bool {
	if unknown(a) || unknown(b) {
		return false
	}
	a, _ = plain(a)
	b, _ = plain(b)
	if emptyIsNull {
		if a.IsString() && a.StringValue() == "" {
			a = resource.NewNullProperty()
		}
		if b.IsString() && b.StringValue() == "" {
			b = resource.NewNullProperty()
		}
	}
	if a.IsObject() || b.IsObject() {
		if !(a.IsObject() || a.IsNull()) || !(b.IsObject() || b.IsNull()) {
			return false
		}
		am, bm := nonNullEntries(a), nonNullEntries(b)
		if len(am) != len(bm) {
			return false
		}
		for k, av := range am {
			bv, ok := bm[k]
			if !ok || !equalInputs(av, bv, false) {
				return false
			}
		}
		return true
	}
	switch {
	case a.IsNull() || b.IsNull():
		return a.IsNull() && b.IsNull()
	case a.IsBool() && b.IsBool():
		return a.BoolValue() == b.BoolValue()
	case a.IsNumber() && b.IsNumber():
		return a.NumberValue() == b.NumberValue()
	case a.IsString() && b.IsString():
		return a.StringValue() == b.StringValue()
	case a.IsArray() && b.IsArray():
		aa, ba := a.ArrayValue(), b.ArrayValue()
		if len(aa) != len(ba) {
			return false
		}
		for i := range aa {
			if !equalInputs(aa[i], ba[i], false) {
				return false
			}
		}
		return true
	}
	return false
}

// nonNullEntries returns the entries of an object value whose values are not null; a
// null value counts as an empty object.
func nonNullEntries(v resource.PropertyValue) resource.PropertyMap {
	out := resource.PropertyMap{}
	if !v.IsObject() {
		return out
	}
	for k, e := range v.ObjectValue() {
		if p, _ := plain(e); !p.IsNull() {
			out[k] = e
		}
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m resource.PropertyMap) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}
