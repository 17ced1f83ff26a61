package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	tokPassword = "random:index/randomPassword:RandomPassword"
	tokString   = "random:index/randomString:RandomString"
	tokID       = "random:index/randomId:RandomId"
	tokInteger  = "random:index/randomInteger:RandomInteger"
	tokUUID     = "random:index/randomUuid:RandomUuid"
	tokUUID4    = "random:index/randomUuid4:RandomUuid4"
	tokUUID7    = "random:index/randomUuid7:RandomUuid7"
	tokBytes    = "random:index/randomBytes:RandomBytes"
	tokShuffle  = "random:index/randomShuffle:RandomShuffle"
)

var ctx = context.Background()

// configured returns a provider configured the way the engine does it (secrets on).
func configured(t *testing.T) *randomProvider {
	t.Helper()
	p := newProvider("4.21.2")
	resp, err := p.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true, AcceptResources: true})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if !resp.AcceptSecrets || !resp.AcceptResources || !resp.SupportsPreview {
		t.Fatalf("Configure response = %v, want acceptSecrets, acceptResources and supportsPreview", resp)
	}
	return p
}

func urn(token string) string {
	return string(resource.NewURN("dev", "proj", "", tokens.Type(token), "r"))
}

func toStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m),
		plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fromStruct(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func check(t *testing.T, p *randomProvider, token string, news map[string]any) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	t.Helper()
	resp, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: urn(token), Type: token, News: toStruct(t, news)})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return fromStruct(t, resp.Inputs), resp.Failures
}

// checked runs Check and fails the test on failures.
func checked(t *testing.T, p *randomProvider, token string, news map[string]any) resource.PropertyMap {
	t.Helper()
	in, fs := check(t, p, token, news)
	if len(fs) > 0 {
		t.Fatalf("Check(%v) failures: %v", news, fs)
	}
	return in
}

// create runs Check then Create (not a preview) and returns the ID and state.
func create(t *testing.T, p *randomProvider, token string, news map[string]any) (string, resource.PropertyMap) {
	t.Helper()
	in := checked(t, p, token, news)
	resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(token), Type: token, Properties: marshalIn(t, in)})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return resp.Id, fromStruct(t, resp.Properties)
}

func marshalIn(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// secretString returns the string at key and whether it was a secret.
func secretString(t *testing.T, m resource.PropertyMap, key string) (string, bool) {
	t.Helper()
	v, ok := m[resource.PropertyKey(key)]
	if !ok {
		t.Fatalf("no %q in %v", key, m)
	}
	pv, secret := plain(v)
	if !pv.IsString() {
		t.Fatalf("%s = %v, want a string", key, v)
	}
	return pv.StringValue(), secret
}

func stringOf(t *testing.T, m resource.PropertyMap, key string) string {
	t.Helper()
	s, _ := secretString(t, m, key)
	return s
}

func failureProps(fs []*pulumirpc.CheckFailure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Property)
	}
	return out
}

// ---- plugin info, configuration, schema ------------------------------------------------

func TestGetPluginInfoVersion(t *testing.T) {
	info, err := newProvider("4.21.2").GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil || info.Version != "4.21.2" {
		t.Fatalf("GetPluginInfo = %v, %v; want version 4.21.2", info, err)
	}
	// main passes the ldflag-set variable; unset, it is a visible development version.
	if v := pluginVersion(); v != "0.0.0-dev" {
		t.Fatalf("version without ldflags = %q, want 0.0.0-dev", v)
	}
	defer func(pv, v string) { providerVersion, version = pv, v }(providerVersion, version)
	version = "1.2.3"
	if v := pluginVersion(); v != "1.2.3" {
		t.Errorf("with main.version set: %q", v)
	}
	providerVersion = "4.21.2"
	if v := pluginVersion(); v != "4.21.2" {
		t.Errorf("with main.providerVersion set: %q, want it to win", v)
	}
}

func TestConfigAcceptsAnything(t *testing.T) {
	p := newProvider("4.21.2")
	news := toStruct(t, map[string]any{"version": "4.21.2", "whatever": true})
	resp, err := p.CheckConfig(ctx, &pulumirpc.CheckRequest{News: news})
	if err != nil || len(resp.Failures) > 0 || !proto.Equal(resp.Inputs, news) {
		t.Fatalf("CheckConfig = %v, %v; want the config back, no failures", resp, err)
	}
	d, err := p.DiffConfig(ctx, &pulumirpc.DiffRequest{Olds: news, News: toStruct(t, map[string]any{"version": "4.21.3"})})
	if err != nil || d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("DiffConfig = %v, %v; want DIFF_NONE", d, err)
	}
	h, err := p.Handshake(ctx, &pulumirpc.ProviderHandshakeRequest{})
	if err != nil || !h.AcceptSecrets || !h.AcceptResources {
		t.Fatalf("Handshake = %v, %v", h, err)
	}
	if _, err := p.Cancel(ctx, &emptypb.Empty{}); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if _, err := p.Attach(ctx, &pulumirpc.PluginAttach{Address: "127.0.0.1:1"}); err != nil {
		t.Fatalf("Attach: %v", err)
	}
}

func TestGetSchema(t *testing.T) {
	resp, err := newProvider("4.21.2").GetSchema(ctx, &pulumirpc.GetSchemaRequest{Version: 0})
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Resources map[string]struct {
			Properties      map[string]map[string]any `json:"properties"`
			InputProperties map[string]map[string]any `json:"inputProperties"`
			RequiredInputs  []string                  `json:"requiredInputs"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(resp.Schema), &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if s.Name != "random" || s.Version != "4.21.2" {
		t.Fatalf("schema name/version = %q/%q", s.Name, s.Version)
	}
	for _, tok := range []string{tokPassword, tokString, tokID, tokInteger, tokUUID, tokUUID4, tokUUID7, tokBytes, tokShuffle} {
		if _, ok := s.Resources[tok]; !ok {
			t.Errorf("schema lacks %s", tok)
		}
	}
	pw := s.Resources[tokPassword]
	if pw.Properties["result"]["secret"] != true || pw.Properties["bcryptHash"]["secret"] != true {
		t.Errorf("password result/bcryptHash not secret in schema: %v", pw.Properties)
	}
	if pw.InputProperties["keepers"]["type"] != "object" || strings.Join(pw.RequiredInputs, ",") != "length" {
		t.Errorf("password inputs = %v, required %v", pw.InputProperties, pw.RequiredInputs)
	}
	if _, ok := s.Resources[tokID].Properties["b64Url"]; !ok {
		t.Errorf("RandomId lacks b64Url")
	}
}

// The property names must be the npm SDK's (node_modules/@pulumi/random/*.d.ts).
func TestPropertyNamesMatchSDK(t *testing.T) {
	want := map[string]string{
		tokPassword: "bcryptHash keepers length lower minLower minNumeric minSpecial minUpper number numeric overrideSpecial result special upper",
		tokString:   "keepers length lower minLower minNumeric minSpecial minUpper number numeric overrideSpecial result special upper",
		tokID:       "b64Std b64Url byteLength dec hex keepers prefix",
		tokInteger:  "keepers max min result seed",
		tokUUID:     "keepers result",
		tokUUID4:    "keepers result",
		tokUUID7:    "keepers result",
		tokBytes:    "base64 hex keepers length",
		tokShuffle:  "inputs keepers resultCount results seed",
	}
	for tok, names := range want {
		rt := typesByToken[tok]
		var got []string
		for _, pr := range append(append([]prop{}, rt.inputs...), rt.outputs...) {
			got = append(got, pr.name)
		}
		gotM := map[string]bool{}
		for _, n := range got {
			gotM[n] = true
		}
		for _, n := range strings.Fields(names) {
			if !gotM[n] {
				t.Errorf("%s lacks property %s", tok, n)
			}
			delete(gotM, n)
		}
		if len(gotM) > 0 {
			t.Errorf("%s has extra properties %v", tok, gotM)
		}
	}
}

// ---- Check ------------------------------------------------------------------------------

func TestCheckFillsDefaults(t *testing.T) {
	p := configured(t)
	for _, tok := range []string{tokPassword, tokString} {
		in := checked(t, p, tok, map[string]any{"length": 16})
		want := resource.NewPropertyMapFromMap(map[string]any{
			"length": 16, "special": true, "upper": true, "lower": true, "numeric": true, "number": true,
			"minLower": 0, "minUpper": 0, "minNumeric": 0, "minSpecial": 0,
		})
		if !in.DeepEquals(want) {
			t.Errorf("%s: Check(length 16) = %v, want %v", tok, in, want)
		}
	}
	in := checked(t, p, tokPassword, map[string]any{"length": 16, "special": false, "minUpper": 2, "overrideSpecial": "-_"})
	if b, _ := knownBool(in, "special"); b {
		t.Errorf("special: given false, got %v", in["special"])
	}
	if n, _ := knownInt(in, "minUpper"); n != 2 {
		t.Errorf("minUpper: given 2, got %v", in["minUpper"])
	}
	in = checked(t, p, tokID, map[string]any{"byteLength": 6})
	if len(in) != 1 {
		t.Errorf("RandomId Check added properties: %v", in)
	}
}

func TestCheckNumberNumeric(t *testing.T) {
	p := configured(t)
	for _, c := range []struct {
		given      map[string]any
		number     bool
		numeric    bool
		wantFailed bool
	}{
		{map[string]any{"numeric": false}, false, false, false},
		{map[string]any{"number": false}, false, false, false},
		{map[string]any{"number": true, "numeric": true}, true, true, false},
		{map[string]any{"number": true, "numeric": false}, false, false, true},
	} {
		news := map[string]any{"length": 8}
		for k, v := range c.given {
			news[k] = v
		}
		in, fs := check(t, p, tokString, news)
		if c.wantFailed {
			if len(fs) != 1 || fs[0].Property != "number" {
				t.Errorf("Check(%v) failures = %v, want one on number", c.given, fs)
			}
			continue
		}
		nb, _ := knownBool(in, "number")
		nc, _ := knownBool(in, "numeric")
		if len(fs) > 0 || nb != c.number || nc != c.numeric {
			t.Errorf("Check(%v) = number %v numeric %v failures %v; want %v %v", c.given, nb, nc, fs, c.number, c.numeric)
		}
	}
}

func TestCheckValidation(t *testing.T) {
	p := configured(t)
	for _, c := range []struct {
		token string
		news  map[string]any
		want  string // the property of the (first) failure
	}{
		{tokPassword, map[string]any{}, "length"},
		{tokPassword, map[string]any{"length": 0}, "length"},
		{tokPassword, map[string]any{"length": -3}, "length"},
		{tokPassword, map[string]any{"length": 2.5}, "length"},
		{tokPassword, map[string]any{"length": "12"}, "length"},
		{tokPassword, map[string]any{"length": 4, "minUpper": 2, "minLower": 2, "minNumeric": 1}, "length"},
		{tokPassword, map[string]any{"length": 4, "minSpecial": -1}, "minSpecial"},
		{tokPassword, map[string]any{"length": 4, "special": "yes"}, "special"},
		{tokString, map[string]any{"length": 4, "upper": false, "lower": false, "numeric": false, "special": false}, "numeric"},
		{tokString, map[string]any{"length": 4, "keepers": map[string]any{"a": 1}}, "keepers"},
		{tokString, map[string]any{"length": 4, "lenght": 5}, "lenght"},
		{tokID, map[string]any{}, "byteLength"},
		{tokID, map[string]any{"byteLength": 0}, "byteLength"},
		{tokInteger, map[string]any{"min": 1}, "max"},
		{tokInteger, map[string]any{"min": 10, "max": 9}, "max"},
		{tokBytes, map[string]any{"length": 0}, "length"},
		{tokUUID, map[string]any{"keepers": "x"}, "keepers"},
		{tokShuffle, map[string]any{}, "inputs"},
		{tokShuffle, map[string]any{"inputs": "a,b"}, "inputs"},
		{tokShuffle, map[string]any{"inputs": []any{"a", 2}}, "inputs"},
		{tokShuffle, map[string]any{"inputs": []any{"a"}, "resultCount": -1}, "resultCount"},
	} {
		_, fs := check(t, p, c.token, c.news)
		if len(fs) == 0 || fs[0].Property != c.want {
			t.Errorf("Check(%s, %v) failures = %v, want a failure on %s", c.token, c.news, fs, c.want)
		}
		for _, f := range fs {
			if f.Reason == "" {
				t.Errorf("failure without a reason: %v", f)
			}
		}
	}
	// The sum of the minimums may equal the length.
	if _, fs := check(t, p, tokPassword, map[string]any{"length": 4, "minUpper": 1, "minLower": 1, "minNumeric": 1, "minSpecial": 1}); len(fs) > 0 {
		t.Errorf("mins summing to length rejected: %v", fs)
	}
}

func TestCheckUnknownsAndOutputs(t *testing.T) {
	p := configured(t)
	unknownLen := resource.MakeComputed(resource.NewStringProperty(""))
	in, fs := check(t, p, tokPassword, map[string]any{
		"length": unknownLen, "minUpper": 3,
		"keepers": map[string]any{"rotation": resource.MakeComputed(resource.NewStringProperty(""))},
		"result":  "stale output that is not an input",
	})
	if len(fs) > 0 {
		t.Fatalf("unknown inputs failed Check: %v", fs)
	}
	if !in["length"].IsComputed() || !in["keepers"].ContainsUnknowns() {
		t.Errorf("unknown inputs not kept: %v", in)
	}
	if _, ok := in["result"]; ok {
		t.Errorf("output property kept as an input: %v", in)
	}
	if b, ok := knownBool(in, "special"); !ok || !b {
		t.Errorf("defaults not filled alongside unknowns: %v", in)
	}
	// Secret inputs are validated by their contents and stay secret.
	in = checked(t, p, tokPassword, map[string]any{"length": resource.MakeSecret(resource.NewNumberProperty(20))})
	if !in["length"].IsSecret() {
		t.Errorf("secret length came back as %v", in["length"])
	}
	if _, fs := check(t, p, tokPassword, map[string]any{"length": resource.MakeSecret(resource.NewNumberProperty(0))}); len(fs) == 0 {
		t.Errorf("secret length 0 accepted")
	}
}

// ---- Diff -------------------------------------------------------------------------------

func diff(t *testing.T, p *randomProvider, token string, olds, news map[string]any, ignore ...string) *pulumirpc.DiffResponse {
	t.Helper()
	o := checked(t, p, token, olds)
	n := checked(t, p, token, news)
	resp, err := p.Diff(ctx, &pulumirpc.DiffRequest{
		Urn: urn(token), Type: token, Id: "x",
		Olds:      marshalIn(t, o), // outputs would also hold the generated values; inputs suffice here
		OldInputs: marshalIn(t, o),
		News:      marshalIn(t, n), IgnoreChanges: ignore,
	})
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return resp
}

func TestDiffNoChange(t *testing.T) {
	p := configured(t)
	for _, c := range []struct {
		token      string
		olds, news map[string]any
	}{
		{tokPassword, map[string]any{"length": 32, "special": false, "keepers": map[string]any{"rotation": "1"}},
			map[string]any{"length": 32, "special": false, "keepers": map[string]any{"rotation": "1"}}},
		// defaults spelled out or not are the same inputs
		{tokPassword, map[string]any{"length": 32}, map[string]any{"length": 32, "special": true, "minUpper": 0, "numeric": true}},
		// an empty overrideSpecial is the same as none (as upstream)
		{tokString, map[string]any{"length": 8, "overrideSpecial": ""}, map[string]any{"length": 8}},
		// no keepers is the same as empty keepers, and null keeper values are ignored
		{tokID, map[string]any{"byteLength": 6}, map[string]any{"byteLength": 6, "keepers": map[string]any{}}},
		{tokID, map[string]any{"byteLength": 6}, map[string]any{"byteLength": 6, "keepers": map[string]any{"a": nil}}},
		// secretness alone is not a change
		{tokID, map[string]any{"byteLength": 6, "prefix": "p"}, map[string]any{"byteLength": 6, "prefix": resource.MakeSecret(resource.NewStringProperty("p"))}},
		{tokUUID, map[string]any{}, map[string]any{}},
		{tokShuffle, map[string]any{"inputs": []any{"a", "b"}, "seed": "x"}, map[string]any{"inputs": []any{"a", "b"}, "seed": "x"}},
	} {
		d := diff(t, p, c.token, c.olds, c.news)
		if d.Changes != pulumirpc.DiffResponse_DIFF_NONE || len(d.Replaces) > 0 || len(d.Diffs) > 0 {
			t.Errorf("Diff(%v -> %v) = %v, want no change", c.olds, c.news, d)
		}
	}
}

func TestDiffReplaces(t *testing.T) {
	p := configured(t)
	for _, c := range []struct {
		token      string
		olds, news map[string]any
		want       string
		kind       pulumirpc.PropertyDiff_Kind
	}{
		{tokPassword, map[string]any{"length": 32, "keepers": map[string]any{"rotation": "1"}},
			map[string]any{"length": 32, "keepers": map[string]any{"rotation": "2"}}, "keepers", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokPassword, map[string]any{"length": 32}, map[string]any{"length": 32, "keepers": map[string]any{"rotation": "1"}}, "keepers", pulumirpc.PropertyDiff_ADD_REPLACE},
		{tokPassword, map[string]any{"length": 32, "keepers": map[string]any{"rotation": "1"}}, map[string]any{"length": 32}, "keepers", pulumirpc.PropertyDiff_DELETE_REPLACE},
		{tokPassword, map[string]any{"length": 32}, map[string]any{"length": 33}, "length", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokPassword, map[string]any{"length": 32}, map[string]any{"length": 32, "special": false}, "special", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokPassword, map[string]any{"length": 32}, map[string]any{"length": 32, "numeric": false}, "number,numeric", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokString, map[string]any{"length": 8}, map[string]any{"length": 8, "overrideSpecial": "-"}, "overrideSpecial", pulumirpc.PropertyDiff_ADD_REPLACE},
		{tokID, map[string]any{"byteLength": 6}, map[string]any{"byteLength": 8}, "byteLength", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokID, map[string]any{"byteLength": 6}, map[string]any{"byteLength": 6, "prefix": "p-"}, "prefix", pulumirpc.PropertyDiff_ADD_REPLACE},
		{tokInteger, map[string]any{"min": 1, "max": 5}, map[string]any{"min": 1, "max": 6, "seed": "s"}, "max,seed", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokUUID, map[string]any{}, map[string]any{"keepers": map[string]any{"a": "b"}}, "keepers", pulumirpc.PropertyDiff_ADD_REPLACE},
		{tokShuffle, map[string]any{"inputs": []any{"a", "b"}}, map[string]any{"inputs": []any{"b", "a"}}, "inputs", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokPassword, map[string]any{"length": 32}, map[string]any{"length": resource.MakeComputed(resource.NewStringProperty(""))}, "length", pulumirpc.PropertyDiff_UPDATE_REPLACE},
		{tokPassword, map[string]any{"length": 32, "keepers": map[string]any{"rotation": "1"}},
			map[string]any{"length": 32, "keepers": map[string]any{"rotation": resource.MakeComputed(resource.NewStringProperty(""))}}, "keepers", pulumirpc.PropertyDiff_UPDATE_REPLACE},
	} {
		d := diff(t, p, c.token, c.olds, c.news)
		if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(d.Replaces, ",") != c.want ||
			strings.Join(d.Diffs, ",") != c.want || d.DeleteBeforeReplace || !d.HasDetailedDiff {
			t.Errorf("Diff(%v -> %v) = %v, want replaces [%s], delete before replace false", c.olds, c.news, d, c.want)
			continue
		}
		first := strings.Split(c.want, ",")[0]
		if pd := d.DetailedDiff[first]; pd == nil || pd.Kind != c.kind || !pd.InputDiff {
			t.Errorf("Diff(%v -> %v) detailed %s = %v, want %v", c.olds, c.news, first, pd, c.kind)
		}
	}
}

func TestDiffIgnoreChangesAndOldInputsFallback(t *testing.T) {
	p := configured(t)
	d := diff(t, p, tokPassword, map[string]any{"length": 32, "keepers": map[string]any{"rotation": "1"}},
		map[string]any{"length": 32, "keepers": map[string]any{"rotation": "2"}}, "keepers")
	if d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("ignored keepers still diffed: %v", d)
	}
	// Without old inputs, the old outputs (which include the inputs) are compared.
	_, state := create(t, p, tokID, map[string]any{"byteLength": 4})
	news := marshalIn(t, checked(t, p, tokID, map[string]any{"byteLength": 4}))
	resp, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(tokID), Type: tokID, Olds: marshalIn(t, state), News: news})
	if err != nil || resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("Diff(old outputs, same inputs) = %v, %v; want no change", resp, err)
	}
}

// ---- Create -----------------------------------------------------------------------------

func classCounts(s string, special string) (upper, lower, digit, spec, other int) {
	for _, r := range s {
		switch {
		case unicode.IsUpper(r) && r < 128:
			upper++
		case unicode.IsLower(r) && r < 128:
			lower++
		case unicode.IsDigit(r):
			digit++
		case strings.ContainsRune(special, r):
			spec++
		default:
			other++
		}
	}
	return
}

func TestCreatePassword(t *testing.T) {
	p := configured(t)
	id, st := create(t, p, tokPassword, map[string]any{"length": 40, "keepers": map[string]any{"rotation": "0"}})
	if id != "none" {
		t.Errorf("RandomPassword id = %q, want none (as upstream)", id)
	}
	result, secret := secretString(t, st, "result")
	hash, hashSecret := secretString(t, st, "bcryptHash")
	if !secret || !hashSecret {
		t.Errorf("result/bcryptHash not secret (%v/%v)", secret, hashSecret)
	}
	if len(result) != 40 {
		t.Errorf("len(result) = %d, want 40", len(result))
	}
	if _, _, _, _, other := classCounts(result, defaultSpecialChars); other > 0 {
		t.Errorf("result %q has characters outside the default classes", result)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(result)); err != nil {
		t.Errorf("bcryptHash does not match result: %v", err)
	}
	// The state keeps the inputs (with defaults) next to the outputs.
	if n, _ := knownInt(st, "length"); n != 40 || stringOf(t, st["keepers"].ObjectValue(), "rotation") != "0" {
		t.Errorf("state lost inputs: %v", st)
	}
	if b, _ := knownBool(st, "special"); !b {
		t.Errorf("state lacks default special: %v", st)
	}
	// Two passwords differ.
	_, st2 := create(t, p, tokPassword, map[string]any{"length": 40})
	if stringOf(t, st2, "result") == result {
		t.Errorf("two passwords are equal: %q", result)
	}
}

func TestCreatePasswordLongBcrypt(t *testing.T) {
	p := configured(t)
	_, st := create(t, p, tokPassword, map[string]any{"length": 100})
	result, hash := stringOf(t, st, "result"), stringOf(t, st, "bcryptHash")
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(result[:72])); err != nil {
		t.Errorf("bcryptHash of a 100-character password is not the hash of its first 72 bytes: %v", err)
	}
}

func TestCreateCharacterClasses(t *testing.T) {
	p := configured(t)
	for _, c := range []struct {
		news  map[string]any
		allow string
	}{
		{map[string]any{"length": 64, "special": false}, upperChars + lowerChars + numericChars},
		{map[string]any{"length": 64, "special": false, "upper": false}, lowerChars + numericChars},
		{map[string]any{"length": 64, "special": false, "upper": false, "lower": false}, numericChars},
		{map[string]any{"length": 64, "special": false, "upper": false, "number": false}, lowerChars},
		{map[string]any{"length": 64, "upper": false, "lower": false, "numeric": false, "overrideSpecial": "-_"}, "-_"},
		{map[string]any{"length": 64, "upper": false, "lower": false, "numeric": false, "overrideSpecial": "äö€"}, "äö€"},
		{map[string]any{"length": 64, "upper": false, "lower": false, "numeric": false}, defaultSpecialChars},
	} {
		for _, tok := range []string{tokPassword, tokString} {
			_, st := create(t, p, tok, c.news)
			r := stringOf(t, st, "result")
			if n := len([]rune(r)); n != 64 {
				t.Errorf("%v: %d characters, want 64", c.news, n)
			}
			for _, ch := range r {
				if !strings.ContainsRune(c.allow, ch) {
					t.Errorf("%v: result %q has %q, outside %q", c.news, r, ch, c.allow)
					break
				}
			}
		}
	}
}

func TestCreateMinConstraints(t *testing.T) {
	p := configured(t)
	for i := range 50 {
		tok := tokString
		if i < 3 {
			tok = tokPassword // same generator; bcrypt makes each one slow
		}
		_, st := create(t, p, tok, map[string]any{
			"length": 8, "minUpper": 2, "minLower": 2, "minNumeric": 2, "minSpecial": 2,
		})
		r := stringOf(t, st, "result")
		u, l, d, s, o := classCounts(r, defaultSpecialChars)
		if len(r) != 8 || u < 2 || l < 2 || d < 2 || s < 2 || o > 0 {
			t.Fatalf("result %q: upper %d lower %d digits %d special %d other %d; want >= 2 each", r, u, l, d, s, o)
		}
	}
	// A minimum applies even when its class is otherwise off (as upstream), and
	// minSpecial draws from overrideSpecial.
	for range 50 {
		_, st := create(t, p, tokString, map[string]any{
			"length": 10, "upper": false, "special": false, "minUpper": 3, "minSpecial": 2, "overrideSpecial": "#",
		})
		r := stringOf(t, st, "result")
		u, _, _, _, _ := classCounts(r, "")
		if u != 3 || strings.Count(r, "#") != 2 {
			t.Fatalf("result %q: want exactly 3 uppercase and 2 '#'", r)
		}
	}
}

// The characters are uniform over the pool and the guaranteed (min*) characters land
// in uniformly random positions.
func TestGenerateStringUnbiased(t *testing.T) {
	const n = 20000
	counts := map[rune]int{}
	s, err := generateString(stringParams{length: n, numeric: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s {
		counts[r]++
	}
	for _, d := range numericChars {
		// mean 2000, sd ~42: 6 sd either side
		if c := counts[d]; c < 2000-250 || c > 2000+250 {
			t.Errorf("digit %c drawn %d times of %d, want about 2000", d, c, n)
		}
	}
	pos := make([]int, 4)
	for range 4000 {
		s, err := generateString(stringParams{length: 4, lower: true, minUpper: 1})
		if err != nil {
			t.Fatal(err)
		}
		pos[strings.IndexFunc(s, unicode.IsUpper)]++
	}
	for i, c := range pos {
		// mean 1000, sd ~27
		if c < 1000-170 || c > 1000+170 {
			t.Errorf("uppercase at position %d in %d of 4000 strings, want about 1000: %v", i, c, pos)
		}
	}
}

func TestCreateString(t *testing.T) {
	p := configured(t)
	id, st := create(t, p, tokString, map[string]any{"length": 12})
	r, secret := secretString(t, st, "result")
	if len(r) != 12 || id != r || secret {
		t.Errorf("RandomString: id %q result %q secret %v; want id = result, 12 chars, not secret", id, r, secret)
	}
}

var (
	hexRe = regexp.MustCompile(`^[0-9a-f]+$`)
	decRe = regexp.MustCompile(`^[0-9]+$`)
)

func TestCreateID(t *testing.T) {
	p := configured(t)
	for _, prefix := range []string{"", "ms-"} {
		news := map[string]any{"byteLength": 6}
		if prefix != "" {
			news["prefix"] = prefix
		}
		id, st := create(t, p, tokID, news)
		hx, b64s, b64u, dec := stringOf(t, st, "hex"), stringOf(t, st, "b64Std"), stringOf(t, st, "b64Url"), stringOf(t, st, "dec")
		for name, v := range map[string]string{"hex": hx, "b64Std": b64s, "b64Url": b64u, "dec": dec} {
			if !strings.HasPrefix(v, prefix) {
				t.Fatalf("%s %q lacks prefix %q", name, v, prefix)
			}
		}
		hx, b64s, b64u, dec = hx[len(prefix):], b64s[len(prefix):], b64u[len(prefix):], dec[len(prefix):]
		if len(hx) != 12 || !hexRe.MatchString(hx) {
			t.Errorf("hex %q: want 12 lowercase hex digits", hx)
		}
		raw, err := hex.DecodeString(hx)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := base64.StdEncoding.DecodeString(b64s); string(got) != string(raw) {
			t.Errorf("b64Std %q is not the bytes of hex %q", b64s, hx)
		}
		if got, _ := base64.RawURLEncoding.DecodeString(b64u); string(got) != string(raw) {
			t.Errorf("b64Url %q is not the bytes of hex %q", b64u, hx)
		}
		if want := new(big.Int).SetBytes(raw).String(); dec != want || !decRe.MatchString(dec) {
			t.Errorf("dec %q, want %q", dec, want)
		}
		if id != b64u {
			t.Errorf("id %q, want the unprefixed b64Url %q", id, b64u)
		}
	}
}

func TestCreateInteger(t *testing.T) {
	p := configured(t)
	seen := map[int64]bool{}
	for range 200 {
		id, st := create(t, p, tokInteger, map[string]any{"min": -3, "max": 3})
		n, ok := knownInt(st, "result")
		if !ok || n < -3 || n > 3 || id != big.NewInt(n).String() {
			t.Fatalf("result %v id %q: want an integer in [-3, 3] and id = result", st["result"], id)
		}
		seen[n] = true
	}
	if len(seen) != 7 {
		t.Errorf("200 draws from [-3, 3] gave only %v", seen)
	}
	if _, st := create(t, p, tokInteger, map[string]any{"min": 5, "max": 5}); !st["result"].DeepEquals(resource.NewNumberProperty(5)) {
		t.Errorf("[5, 5] gave %v", st["result"])
	}
	// A seed makes the result deterministic.
	_, a := create(t, p, tokInteger, map[string]any{"min": 1, "max": 1000000, "seed": "model-services"})
	_, b := create(t, p, tokInteger, map[string]any{"min": 1, "max": 1000000, "seed": "model-services"})
	if !a["result"].DeepEquals(b["result"]) {
		t.Errorf("seeded results differ: %v, %v", a["result"], b["result"])
	}
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateUUIDs(t *testing.T) {
	p := configured(t)
	for tok, ver := range map[string]string{tokUUID: "4", tokUUID4: "4", tokUUID7: "7"} {
		id, st := create(t, p, tok, map[string]any{})
		r := stringOf(t, st, "result")
		m := uuidRe.FindStringSubmatch(r)
		if m == nil || m[1] != ver || id != r {
			t.Errorf("%s: id %q result %q; want a version %s UUID, id = result", tok, id, r, ver)
		}
	}
	now = func() time.Time { return time.UnixMilli(0x0123456789ab) }
	defer func() { now = time.Now }()
	u, err := uuidV7()
	if err != nil || !strings.HasPrefix(u, "01234567-89ab-7") {
		t.Errorf("uuidV7 at ms 0x0123456789ab = %q, %v", u, err)
	}
}

func TestCreateShuffle(t *testing.T) {
	p := configured(t)
	items := []any{"a", "b", "c", "d", "e"}
	results := func(st resource.PropertyMap) []string {
		var out []string
		for _, v := range st["results"].ArrayValue() {
			out = append(out, v.StringValue())
		}
		return out
	}
	orders := map[string]bool{}
	for range 50 {
		id, st := create(t, p, tokShuffle, map[string]any{"inputs": items})
		r := results(st)
		sorted := append([]string{}, r...)
		slices.Sort(sorted)
		if id != "-" || strings.Join(sorted, "") != "abcde" {
			t.Fatalf("shuffle of a..e = %v (id %q), want a permutation (id -)", r, id)
		}
		orders[strings.Join(r, "")] = true
	}
	if len(orders) < 10 {
		t.Errorf("50 shuffles of 5 items gave only %d orders", len(orders))
	}
	_, st := create(t, p, tokShuffle, map[string]any{"inputs": items, "resultCount": 2})
	if r := results(st); len(r) != 2 || r[0] == r[1] {
		t.Errorf("resultCount 2 gave %v", r)
	}
	_, st = create(t, p, tokShuffle, map[string]any{"inputs": items, "resultCount": 12})
	counts := map[string]int{}
	for _, x := range results(st) {
		counts[x]++
	}
	for _, x := range items {
		if c := counts[x.(string)]; c < 2 || c > 3 {
			t.Errorf("resultCount 12 of 5 items: %s appears %d times, want 2 or 3: %v", x, c, results(st))
		}
	}
	_, a := create(t, p, tokShuffle, map[string]any{"inputs": items, "seed": "s"})
	_, b := create(t, p, tokShuffle, map[string]any{"inputs": items, "seed": "s"})
	if strings.Join(results(a), "") != strings.Join(results(b), "") {
		t.Errorf("seeded shuffles differ: %v %v", results(a), results(b))
	}
	if _, st := create(t, p, tokShuffle, map[string]any{"inputs": []any{}}); len(st["results"].ArrayValue()) != 0 {
		t.Errorf("shuffle of nothing = %v", st["results"])
	}
}

func TestCreateBytes(t *testing.T) {
	p := configured(t)
	id, st := create(t, p, tokBytes, map[string]any{"length": 32})
	b64, s1 := secretString(t, st, "base64")
	hx, s2 := secretString(t, st, "hex")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 || hex.EncodeToString(raw) != hx || !s1 || !s2 || id != "none" {
		t.Errorf("RandomBytes: id %q base64 %q hex %q secret %v/%v", id, b64, hx, s1, s2)
	}
}

func TestCreateRejectsInvalidAndUnknown(t *testing.T) {
	p := configured(t)
	bad := toStruct(t, map[string]any{"length": 2, "minUpper": 3})
	if _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(tokPassword), Type: tokPassword, Properties: bad}); err == nil {
		t.Error("Create accepted length < sum of minimums")
	}
	unk := toStruct(t, map[string]any{"length": resource.MakeComputed(resource.NewStringProperty(""))})
	if _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(tokPassword), Type: tokPassword, Properties: unk}); err == nil {
		t.Error("Create (not a preview) accepted an unknown length")
	}
	if _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn("random:index/randomPet:RandomPet"), Type: "random:index/randomPet:RandomPet"}); err == nil {
		t.Error("Create accepted an unimplemented type")
	}
}

func TestCreateFailsWithoutEntropy(t *testing.T) {
	p := configured(t)
	entropy = failingReader{}
	defer func() { entropy = randReader }()
	for _, c := range []struct {
		tok  string
		news map[string]any
	}{
		{tokPassword, map[string]any{"length": 8}},
		{tokID, map[string]any{"byteLength": 8}},
		{tokUUID, map[string]any{}},
		{tokInteger, map[string]any{"min": 0, "max": 10}},
	} {
		in := checked(t, p, c.tok, c.news)
		if _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(c.tok), Type: c.tok, Properties: marshalIn(t, in)}); err == nil {
			t.Errorf("%s: Create succeeded without randomness", c.tok)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

var randReader = entropy

// ---- preview, read, update, delete ------------------------------------------------------

func TestCreatePreviewReturnsUnknowns(t *testing.T) {
	p := configured(t)
	for tok, outs := range map[string][]string{
		tokPassword: {"result", "bcryptHash"},
		tokID:       {"hex", "b64Std", "b64Url", "dec"},
		tokInteger:  {"result"},
		tokBytes:    {"base64", "hex"},
		tokShuffle:  {"results"},
	} {
		news := map[string]any{"length": 8, "byteLength": 4, "min": 1, "max": 2, "inputs": []any{"a"}}
		for k := range news {
			if typesByToken[tok].input(k) == nil {
				delete(news, k)
			}
		}
		in := checked(t, p, tok, news)
		resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(tok), Type: tok, Properties: marshalIn(t, in), Preview: true})
		if err != nil {
			t.Fatalf("%s preview: %v", tok, err)
		}
		st := fromStruct(t, resp.Properties)
		for _, o := range outs {
			if !st[resource.PropertyKey(o)].IsComputed() {
				t.Errorf("%s preview: %s = %v, want unknown", tok, o, st[resource.PropertyKey(o)])
			}
		}
		if resp.Id != "" {
			t.Errorf("%s preview: id %q, want none", tok, resp.Id)
		}
	}
	// A preview may have unknown inputs.
	in := checked(t, p, tokPassword, map[string]any{"length": resource.MakeComputed(resource.NewStringProperty(""))})
	if _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(tokPassword), Type: tokPassword, Properties: marshalIn(t, in), Preview: true}); err != nil {
		t.Errorf("preview with an unknown length: %v", err)
	}
}

func TestReadRoundTrip(t *testing.T) {
	p := configured(t)
	for _, c := range []struct {
		tok  string
		news map[string]any
	}{
		{tokPassword, map[string]any{"length": 20, "keepers": map[string]any{"rotation": "3"}}},
		{tokID, map[string]any{"byteLength": 6, "prefix": "x"}},
		{tokInteger, map[string]any{"min": 1, "max": 9}},
	} {
		in := checked(t, p, c.tok, c.news)
		inputs := marshalIn(t, in)
		cr, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(c.tok), Type: c.tok, Properties: inputs})
		if err != nil {
			t.Fatal(err)
		}
		rr, err := p.Read(ctx, &pulumirpc.ReadRequest{Id: cr.Id, Urn: urn(c.tok), Type: c.tok, Properties: cr.Properties, Inputs: inputs})
		if err != nil {
			t.Fatalf("%s Read: %v", c.tok, err)
		}
		if rr.Id != cr.Id || !proto.Equal(rr.Properties, cr.Properties) || !proto.Equal(rr.Inputs, inputs) {
			t.Errorf("%s Read changed the state:\n got %v %v\nwant %v %v", c.tok, rr.Id, rr.Properties, cr.Id, cr.Properties)
		}
	}
}

func TestImport(t *testing.T) {
	p := configured(t)
	read := func(tok, id string) (*pulumirpc.ReadResponse, error) {
		return p.Read(ctx, &pulumirpc.ReadRequest{Id: id, Urn: urn(tok), Type: tok})
	}
	rr, err := read(tokID, "my-prefix-,p-9hUg")
	if err != nil {
		t.Fatal(err)
	}
	st, in := fromStruct(t, rr.Properties), fromStruct(t, rr.Inputs)
	if rr.Id != "p-9hUg" || stringOf(t, st, "b64Url") != "my-prefix-p-9hUg" || stringOf(t, st, "hex") != "my-prefix-a7ef6152" ||
		stringOf(t, in, "prefix") != "my-prefix-" || !in["byteLength"].DeepEquals(resource.NewNumberProperty(4)) {
		t.Errorf("RandomId import: id %q state %v inputs %v", rr.Id, st, in)
	}
	// The imported inputs pass Check unchanged and diff clean against themselves.
	if _, fs := check(t, p, tokID, map[string]any{"byteLength": 4, "prefix": "my-prefix-"}); len(fs) > 0 {
		t.Errorf("imported inputs fail Check: %v", fs)
	}
	rr, err = read(tokPassword, "s3cr3t!")
	if err != nil {
		t.Fatal(err)
	}
	st = fromStruct(t, rr.Properties)
	r, secret := secretString(t, st, "result")
	if rr.Id != "none" || r != "s3cr3t!" || !secret || bcrypt.CompareHashAndPassword([]byte(stringOf(t, st, "bcryptHash")), []byte(r)) != nil {
		t.Errorf("RandomPassword import: id %q state %v", rr.Id, st)
	}
	rr, err = read(tokInteger, "7,1,10,seed")
	if err != nil || rr.Id != "7" || !fromStruct(t, rr.Properties)["result"].DeepEquals(resource.NewNumberProperty(7)) {
		t.Errorf("RandomInteger import = %v, %v", rr, err)
	}
	rr, err = read(tokUUID, "6F9619FF-8B86-D011-B42D-00C04FC964FF")
	if err != nil || rr.Id != "6f9619ff-8b86-d011-b42d-00c04fc964ff" {
		t.Errorf("RandomUuid import = %v, %v", rr, err)
	}
	for tok, bad := range map[string]string{tokID: "not base64!", tokInteger: "1,2", tokUUID: "nope", tokBytes: "%%%", tokPassword: ""} {
		if _, err := read(tok, bad); err == nil {
			t.Errorf("%s import of %q succeeded", tok, bad)
		}
	}
}

func TestUpdateKeepsGeneratedValues(t *testing.T) {
	p := configured(t)
	_, st := create(t, p, tokPassword, map[string]any{"length": 10, "keepers": map[string]any{"a": "1"}})
	news := checked(t, p, tokPassword, map[string]any{"length": 10, "keepers": map[string]any{"a": "2"}})
	resp, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn(tokPassword), Type: tokPassword, Olds: marshalIn(t, st), News: marshalIn(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	got := fromStruct(t, resp.Properties)
	if stringOf(t, got, "result") != stringOf(t, st, "result") || stringOf(t, got["keepers"].ObjectValue(), "a") != "2" {
		t.Errorf("Update: %v, want the old result and the new keepers", got)
	}
	if _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Id: "none", Urn: urn(tokPassword), Type: tokPassword, Properties: resp.Properties}); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

func TestNoSecretsWhenEngineRefusesThem(t *testing.T) {
	p := newProvider("4.21.2")
	if _, err := p.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: false}); err != nil {
		t.Fatal(err)
	}
	_, st := create(t, p, tokPassword, map[string]any{"length": 10})
	if r, secret := secretString(t, st, "result"); secret || len(r) != 10 {
		t.Errorf("result %q secret %v; want a plain 10-character value", r, secret)
	}
}
