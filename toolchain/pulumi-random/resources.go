package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// kind is the type of a property, as the schema and Check see it.
type kind int

const (
	kindBool kind = iota
	kindInt
	kindString
	kindStringMap
	kindStringList
)

// prop describes one property of a resource type.
type prop struct {
	name        string
	kind        kind
	required    bool                    // inputs: must be given
	def         *resource.PropertyValue // inputs: default filled in by Check
	emptyIsNull bool                    // inputs: "" and unset are the same (no replacement between them)
	secret      bool                    // outputs: returned as a secret
	deprecation string
	description string
}

// resourceType is one resource of the package.
type resourceType struct {
	token       string
	description string
	inputs      []prop
	outputs     []prop // computed outputs (the inputs are outputs too)
	// defaults fills defaults that depend on other inputs (run before the static ones).
	defaults func(in resource.PropertyMap) []failure
	// validate checks relations between the known inputs (after types and defaults).
	validate func(in resource.PropertyMap) []failure
	// create generates the resource: its ID and computed outputs, from known inputs.
	create func(in resource.PropertyMap) (string, resource.PropertyMap, error)
	// importID turns a `pulumi import` ID into the resource's ID, inputs and computed
	// outputs; nil when the type cannot be imported.
	importID func(id string) (string, resource.PropertyMap, resource.PropertyMap, error)
}

// failure is one Check failure.
type failure struct{ property, reason string }

func boolDefault(b bool) *resource.PropertyValue {
	v := resource.NewBoolProperty(b)
	return &v
}

func intDefault(n int64) *resource.PropertyValue {
	v := resource.NewNumberProperty(float64(n))
	return &v
}

const keepersDescription = "Arbitrary map of values that, when changed, will trigger recreation of resource."

var keepersProp = prop{name: "keepers", kind: kindStringMap, description: keepersDescription}

// stringInputs are the inputs shared by RandomPassword and RandomString.
var stringInputs = []prop{
	keepersProp,
	{name: "length", kind: kindInt, required: true, description: "The length of the string desired. The minimum value for length is 1 and, length must also be >= (`minUpper` + `minLower` + `minNumeric` + `minSpecial`)."},
	{name: "lower", kind: kindBool, def: boolDefault(true), description: "Include lowercase alphabet characters in the result. Default value is `true`."},
	{name: "minLower", kind: kindInt, def: intDefault(0), description: "Minimum number of lowercase alphabet characters in the result. Default value is `0`."},
	{name: "minNumeric", kind: kindInt, def: intDefault(0), description: "Minimum number of numeric characters in the result. Default value is `0`."},
	{name: "minSpecial", kind: kindInt, def: intDefault(0), description: "Minimum number of special characters in the result. Default value is `0`."},
	{name: "minUpper", kind: kindInt, def: intDefault(0), description: "Minimum number of uppercase alphabet characters in the result. Default value is `0`."},
	// number and numeric have no static default: stringDefaults keeps them in step.
	{name: "number", kind: kindBool, deprecation: "**NOTE**: This is deprecated, use `numeric` instead.", description: "Include numeric characters in the result. Default value is `true`."},
	{name: "numeric", kind: kindBool, description: "Include numeric characters in the result. Default value is `true`."},
	{name: "overrideSpecial", kind: kindString, emptyIsNull: true, description: "Supply your own list of special characters to use for string generation. This overrides the default character list in the special argument. The `special` argument must still be set to true for any overwritten characters to be used in generation."},
	{name: "special", kind: kindBool, def: boolDefault(true), description: "Include special characters in the result. These are `!@#$%&*()-_=+[]{}<>:?`. Default value is `true`."},
	{name: "upper", kind: kindBool, def: boolDefault(true), description: "Include uppercase alphabet characters in the result. Default value is `true`."},
}

// stringDefaults keeps the deprecated `number` and its replacement `numeric` in step:
// both true when neither is set, the one set when only one is, and an error when both
// are set to different values.
func stringDefaults(in resource.PropertyMap) []failure {
	numberAbsent, numericAbsent := absent(in, "number"), absent(in, "numeric")
	switch {
	case numberAbsent && numericAbsent:
		in["number"] = resource.NewBoolProperty(true)
		in["numeric"] = resource.NewBoolProperty(true)
	case numberAbsent:
		in["number"] = in["numeric"]
	case numericAbsent:
		in["numeric"] = in["number"]
	default:
		a, aok := knownBool(in, "number")
		b, bok := knownBool(in, "numeric")
		if aok && bok && a != b {
			return []failure{{"number", "number and numeric are both set, to different values (number is deprecated: use numeric)"}}
		}
	}
	return nil
}

// validateString checks the relations between RandomPassword/RandomString inputs.
func validateString(in resource.PropertyMap) []failure {
	var fs []failure
	length, lengthKnown := knownInt(in, "length")
	if lengthKnown && length < 1 {
		fs = append(fs, failure{"length", fmt.Sprintf("length must be at least 1, got %d", length)})
	}
	sum, sumKnown := int64(0), true
	for _, k := range []string{"minUpper", "minLower", "minNumeric", "minSpecial"} {
		n, ok := knownInt(in, k)
		if !ok {
			sumKnown = false
			continue
		}
		if n < 0 {
			fs = append(fs, failure{k, fmt.Sprintf("%s must not be negative, got %d", k, n)})
		}
		sum += n
	}
	if lengthKnown && sumKnown && length >= 1 && length < sum {
		fs = append(fs, failure{"length", fmt.Sprintf(
			"length (%d) must be >= minUpper + minLower + minNumeric + minSpecial (%d)", length, sum)})
	}
	allFalse := true
	for _, k := range []string{"upper", "lower", "numeric", "special"} {
		if b, ok := knownBool(in, k); !ok || b {
			allFalse = false
		}
	}
	if allFalse {
		fs = append(fs, failure{"numeric", "at least one of upper, lower, numeric and special must be true"})
	}
	return fs
}

// paramsOf reads the generation parameters from checked, known inputs.
func paramsOf(in resource.PropertyMap) stringParams {
	i := func(k string) int { n, _ := knownInt(in, k); return int(n) }
	b := func(k string) bool { v, _ := knownBool(in, k); return v }
	s, _ := knownString(in, "overrideSpecial")
	return stringParams{
		length: i("length"),
		upper:  b("upper"), lower: b("lower"), numeric: b("numeric"), special: b("special"),
		minUpper: i("minUpper"), minLower: i("minLower"), minNumeric: i("minNumeric"), minSpecial: i("minSpecial"),
		overrideSpecial: s,
	}
}

// importedStringInputs are the inputs the real provider records for an imported
// password or string: the defaults, and the length of the imported value.
func importedStringInputs(value string) resource.PropertyMap {
	return resource.PropertyMap{
		"length":     resource.NewNumberProperty(float64(utf8.RuneCountInString(value))),
		"lower":      resource.NewBoolProperty(true),
		"minLower":   resource.NewNumberProperty(0),
		"minNumeric": resource.NewNumberProperty(0),
		"minSpecial": resource.NewNumberProperty(0),
		"minUpper":   resource.NewNumberProperty(0),
		"number":     resource.NewBoolProperty(true),
		"numeric":    resource.NewBoolProperty(true),
		"special":    resource.NewBoolProperty(true),
		"upper":      resource.NewBoolProperty(true),
	}
}

func str(s string) resource.PropertyValue { return resource.NewStringProperty(s) }

var resourceTypes = []*resourceType{
	{
		token:       "random:index/randomPassword:RandomPassword",
		description: "Identical to RandomString with the exception that the result is treated as sensitive. Uses a cryptographic random number generator.",
		inputs:      stringInputs,
		outputs: []prop{
			{name: "bcryptHash", kind: kindString, secret: true, description: "A bcrypt hash of the generated random password (of its first 72 bytes when it is longer)."},
			{name: "result", kind: kindString, secret: true, description: "The generated random password."},
		},
		defaults: stringDefaults,
		validate: validateString,
		create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
			result, err := generateString(paramsOf(in))
			if err != nil {
				return "", nil, err
			}
			hash, err := bcryptHash(result)
			if err != nil {
				return "", nil, err
			}
			return "none", resource.PropertyMap{"result": str(result), "bcryptHash": str(hash)}, nil
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			if id == "" {
				return "", nil, nil, fmt.Errorf("the import ID is the password itself and must not be empty")
			}
			hash, err := bcryptHash(id)
			if err != nil {
				return "", nil, nil, err
			}
			return "none", importedStringInputs(id), resource.PropertyMap{"result": str(id), "bcryptHash": str(hash)}, nil
		},
	},
	{
		token:       "random:index/randomString:RandomString",
		description: "Generates a random permutation of alphanumeric characters and optionally special characters. Uses a cryptographic random number generator.",
		inputs:      stringInputs,
		outputs: []prop{
			{name: "result", kind: kindString, description: "The generated random string."},
		},
		defaults: stringDefaults,
		validate: validateString,
		create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
			result, err := generateString(paramsOf(in))
			if err != nil {
				return "", nil, err
			}
			return result, resource.PropertyMap{"result": str(result)}, nil
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			if id == "" {
				return "", nil, nil, fmt.Errorf("the import ID is the string itself and must not be empty")
			}
			return id, importedStringInputs(id), resource.PropertyMap{"result": str(id)}, nil
		},
	},
	{
		token:       "random:index/randomId:RandomId",
		description: "Generates random numbers that are intended to be used as unique identifiers for other resources. Uses a cryptographic random number generator.",
		inputs: []prop{
			{name: "byteLength", kind: kindInt, required: true, description: "The number of random bytes to produce. The minimum value is 1, which produces eight bits of randomness."},
			keepersProp,
			{name: "prefix", kind: kindString, description: "Arbitrary string to prefix the output value with. This string is supplied as-is, meaning it is not guaranteed to be URL-safe or base64 encoded."},
		},
		outputs: []prop{
			{name: "b64Std", kind: kindString, description: "The generated id presented in base64 without additional transformations."},
			{name: "b64Url", kind: kindString, description: "The generated id presented in base64, using the URL-friendly character set: case-sensitive letters, digits and the characters `_` and `-`."},
			{name: "dec", kind: kindString, description: "The generated id presented in non-padded decimal digits."},
			{name: "hex", kind: kindString, description: "The generated id presented in padded hexadecimal digits. This result will always be twice as long as the requested byte length."},
		},
		validate: func(in resource.PropertyMap) []failure {
			if n, ok := knownInt(in, "byteLength"); ok && n < 1 {
				return []failure{{"byteLength", fmt.Sprintf("byteLength must be at least 1, got %d", n)}}
			}
			return nil
		},
		create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
			n, _ := knownInt(in, "byteLength")
			prefix, _ := knownString(in, "prefix")
			b, err := randomBytes(int(n))
			if err != nil {
				return "", nil, err
			}
			return idOutputs(encodeID(b, prefix))
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			// "<b64Url>" or "<prefix>,<b64Url>", as upstream.
			prefix, raw := "", id
			if i := strings.LastIndex(id, ","); i >= 0 {
				prefix, raw = id[:i], id[i+1:]
			}
			b, err := base64.RawURLEncoding.DecodeString(raw)
			if err != nil || len(b) == 0 {
				return "", nil, nil, fmt.Errorf("import ID %q: want [prefix,]<unpadded URL-safe base64 of at least one byte>", id)
			}
			inputs := resource.PropertyMap{"byteLength": resource.NewNumberProperty(float64(len(b)))}
			if prefix != "" {
				inputs["prefix"] = str(prefix)
			}
			rid, outs, err := idOutputs(encodeID(b, prefix))
			return rid, inputs, outs, err
		},
	},
	{
		token:       "random:index/randomInteger:RandomInteger",
		description: "Generates random values from a given range, described by the `min` and `max` attributes.",
		inputs: []prop{
			keepersProp,
			{name: "max", kind: kindInt, required: true, description: "The maximum inclusive value of the range."},
			{name: "min", kind: kindInt, required: true, description: "The minimum inclusive value of the range."},
			{name: "seed", kind: kindString, description: "A custom seed to always produce the same value."},
		},
		outputs: []prop{
			{name: "result", kind: kindInt, description: "The random integer result."},
		},
		validate: func(in resource.PropertyMap) []failure {
			lo, lok := knownInt(in, "min")
			hi, hok := knownInt(in, "max")
			if lok && hok && hi < lo {
				return []failure{{"max", fmt.Sprintf("the minimum (min, %d) must be less than or equal to the maximum (max, %d)", lo, hi)}}
			}
			return nil
		},
		create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
			lo, _ := knownInt(in, "min")
			hi, _ := knownInt(in, "max")
			seed, _ := knownString(in, "seed")
			n, err := randomInteger(lo, hi, seed)
			if err != nil {
				return "", nil, err
			}
			return strconv.FormatInt(n, 10), resource.PropertyMap{"result": resource.NewNumberProperty(float64(n))}, nil
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			// "<result>,<min>,<max>" or "<result>,<min>,<max>,<seed>", as upstream.
			parts := strings.SplitN(id, ",", 4)
			if len(parts) < 3 {
				return "", nil, nil, fmt.Errorf("import ID %q: want <result>,<min>,<max>[,<seed>]", id)
			}
			var nums [3]int64
			for i := range nums {
				n, err := strconv.ParseInt(parts[i], 10, 64)
				if err != nil {
					return "", nil, nil, fmt.Errorf("import ID %q: %q is not an integer", id, parts[i])
				}
				nums[i] = n
			}
			inputs := resource.PropertyMap{
				"min": resource.NewNumberProperty(float64(nums[1])),
				"max": resource.NewNumberProperty(float64(nums[2])),
			}
			if len(parts) == 4 && parts[3] != "" {
				inputs["seed"] = str(parts[3])
			}
			return parts[0], inputs, resource.PropertyMap{"result": resource.NewNumberProperty(float64(nums[0]))}, nil
		},
	},
	uuidType("random:index/randomUuid:RandomUuid", "Generates a random UUID (version 4) string intended to be used as a unique identifier for other resources.", uuidV4),
	uuidType("random:index/randomUuid4:RandomUuid4", "Generates a random version 4 UUID string intended to be used as a unique identifier for other resources.", uuidV4),
	uuidType("random:index/randomUuid7:RandomUuid7", "Generates a time-ordered version 7 UUID string intended to be used as a unique identifier for other resources.", uuidV7),
	{
		token:       "random:index/randomShuffle:RandomShuffle",
		description: "Generates a random permutation of a list of strings given as an argument.",
		inputs: []prop{
			{name: "inputs", kind: kindStringList, required: true, description: "The list of strings to shuffle."},
			keepersProp,
			{name: "resultCount", kind: kindInt, description: "The number of results to return. Defaults to the number of items in the `inputs` list. If fewer items are requested, some elements will be excluded from the result. If more items are requested, items will be repeated in the result but not more frequently than the number of items in the input list."},
			{name: "seed", kind: kindString, description: "Arbitrary string with which to seed the random number generator, in order to produce less-volatile permutations of the list."},
		},
		outputs: []prop{
			{name: "results", kind: kindStringList, description: "Random permutation of the list of strings given in `inputs`."},
		},
		validate: func(in resource.PropertyMap) []failure {
			if n, ok := knownInt(in, "resultCount"); ok && n < 0 {
				return []failure{{"resultCount", fmt.Sprintf("resultCount must not be negative, got %d", n)}}
			}
			return nil
		},
		create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
			v, _ := plain(in["inputs"])
			var items []string
			for _, e := range v.ArrayValue() {
				pe, _ := plain(e)
				items = append(items, pe.StringValue())
			}
			count, _ := knownInt(in, "resultCount")
			seed, _ := knownString(in, "seed")
			shuffled, err := shuffle(items, int(count), seed)
			if err != nil {
				return "", nil, err
			}
			results := make([]resource.PropertyValue, len(shuffled))
			for i, s := range shuffled {
				results[i] = str(s)
			}
			return "-", resource.PropertyMap{"results": resource.NewArrayProperty(results)}, nil
		},
	},
	{
		token:       "random:index/randomBytes:RandomBytes",
		description: "Generates random bytes that are intended to be used as a secret, or key.",
		inputs: []prop{
			keepersProp,
			{name: "length", kind: kindInt, required: true, description: "The number of bytes requested. The minimum value for length is 1."},
		},
		outputs: []prop{
			{name: "base64", kind: kindString, secret: true, description: "The generated bytes presented in base64 string format."},
			{name: "hex", kind: kindString, secret: true, description: "The generated bytes presented in hex string format."},
		},
		validate: func(in resource.PropertyMap) []failure {
			if n, ok := knownInt(in, "length"); ok && n < 1 {
				return []failure{{"length", fmt.Sprintf("length must be at least 1, got %d", n)}}
			}
			return nil
		},
		create: func(in resource.PropertyMap) (string, resource.PropertyMap, error) {
			n, _ := knownInt(in, "length")
			b, err := randomBytes(int(n))
			if err != nil {
				return "", nil, err
			}
			return "none", bytesOutputs(b), nil
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			b, err := base64.StdEncoding.DecodeString(id)
			if err != nil || len(b) == 0 {
				return "", nil, nil, fmt.Errorf("import ID %q: want the standard base64 of at least one byte", id)
			}
			return "none", resource.PropertyMap{"length": resource.NewNumberProperty(float64(len(b)))}, bytesOutputs(b), nil
		},
	},
}

func idOutputs(e idEncodings) (string, resource.PropertyMap, error) {
	return e.id, resource.PropertyMap{
		"b64Std": str(e.b64Std), "b64Url": str(e.b64URL), "dec": str(e.dec), "hex": str(e.hex),
	}, nil
}

func bytesOutputs(b []byte) resource.PropertyMap {
	return resource.PropertyMap{
		"base64": str(base64.StdEncoding.EncodeToString(b)),
		"hex":    str(hex.EncodeToString(b)),
	}
}

func uuidType(token, description string, gen func() (string, error)) *resourceType {
	return &resourceType{
		token:       token,
		description: description,
		inputs:      []prop{keepersProp},
		outputs:     []prop{{name: "result", kind: kindString, description: "The generated uuid presented in string format."}},
		create: func(resource.PropertyMap) (string, resource.PropertyMap, error) {
			u, err := gen()
			if err != nil {
				return "", nil, err
			}
			return u, resource.PropertyMap{"result": str(u)}, nil
		},
		importID: func(id string) (string, resource.PropertyMap, resource.PropertyMap, error) {
			u, err := parseUUID(id)
			if err != nil {
				return "", nil, nil, err
			}
			return u, resource.PropertyMap{}, resource.PropertyMap{"result": str(u)}, nil
		},
	}
}

// typesByToken indexes resourceTypes.
var typesByToken = func() map[string]*resourceType {
	m := map[string]*resourceType{}
	for _, t := range resourceTypes {
		m[t.token] = t
	}
	return m
}()

func (t *resourceType) input(name string) *prop {
	for i := range t.inputs {
		if t.inputs[i].name == name {
			return &t.inputs[i]
		}
	}
	return nil
}

func (t *resourceType) output(name string) *prop {
	for i := range t.outputs {
		if t.outputs[i].name == name {
			return &t.outputs[i]
		}
	}
	return nil
}
