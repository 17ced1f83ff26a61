package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// randomProvider implements pulumirpc.ResourceProviderServer for the random package.
// The provider has no configuration and no remote state: every value lives in the
// Pulumi state, generated once by Create.
type randomProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	version string
	// acceptSecrets: the engine understands secret values in our responses (Configure
	// or Handshake said so). Without it secrets are sent as plain values.
	acceptSecrets atomic.Bool
}

func newProvider(version string) *randomProvider {
	return &randomProvider{version: version}
}

// Property maps in requests keep unknowns (previews) and secrets; nulls are dropped.
var unmarshalOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true, RejectAssets: true}

func unmarshal(s *structpb.Struct, label string) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	opts := unmarshalOpts
	opts.Label = label
	m, err := plugin.UnmarshalProperties(s, opts)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%s: %v", label, err)
	}
	return m, nil
}

func (p *randomProvider) marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{
		KeepUnknowns: true,
		KeepSecrets:  p.acceptSecrets.Load(),
		SkipNulls:    true,
	})
}

// typeOf finds the resource type of a request: its type field, or the URN's type.
func typeOf(typ, urn string) (*resourceType, error) {
	if typ == "" && urn != "" {
		typ = string(resource.URN(urn).Type())
	}
	t, ok := typesByToken[typ]
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument,
			"unknown resource type %q: this random provider implements %s", typ, implementedTokens())
	}
	return t, nil
}

func implementedTokens() string {
	s := ""
	for i, t := range resourceTypes {
		if i > 0 {
			s += ", "
		}
		s += t.token
	}
	return s
}

// ---- plugin and provider configuration ---------------------------------------------

func (p *randomProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *randomProvider) Handshake(
	context.Context, *pulumirpc.ProviderHandshakeRequest,
) (*pulumirpc.ProviderHandshakeResponse, error) {
	// An engine that sends Handshake supports secrets and resource references.
	p.acceptSecrets.Store(true)
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *randomProvider) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	// Nothing to connect to: the provider never calls back into the engine.
	return &emptypb.Empty{}, nil
}

func (p *randomProvider) GetSchema(
	_ context.Context, req *pulumirpc.GetSchemaRequest,
) (*pulumirpc.GetSchemaResponse, error) {
	if req.GetSubpackageName() != "" {
		return nil, status.Errorf(codes.NotFound, "the random provider has no subpackage %q", req.GetSubpackageName())
	}
	s, err := schemaJSON(p.version)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: s}, nil
}

// CheckConfig accepts any configuration: the random provider has none of its own
// (the engine passes e.g. `version`).
func (p *randomProvider) CheckConfig(
	_ context.Context, req *pulumirpc.CheckRequest,
) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *randomProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *randomProvider) Configure(
	_ context.Context, req *pulumirpc.ConfigureRequest,
) (*pulumirpc.ConfigureResponse, error) {
	p.acceptSecrets.Store(req.GetAcceptSecrets())
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (p *randomProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil // every operation is local and quick: nothing to abort
}

// ---- resources ---------------------------------------------------------------------

// checkInputs validates inputs and fills defaults. It returns the checked inputs
// (only the type's input properties; computed outputs passed as inputs are dropped)
// and the failures.
func checkInputs(t *resourceType, news resource.PropertyMap) (resource.PropertyMap, []failure) {
	var fs []failure
	in := resource.PropertyMap{}
	for _, key := range sortedKeys(news) {
		v := news[resource.PropertyKey(key)]
		switch {
		case t.input(key) != nil:
			in[resource.PropertyKey(key)] = v
		case t.output(key) != nil || key == "id" || len(key) > 1 && key[:2] == "__":
			// outputs (and internal keys) are not inputs: ignore them
		default:
			fs = append(fs, failure{key, fmt.Sprintf("%s is not an input of %s", key, t.token)})
		}
	}
	for _, pr := range t.inputs {
		v, ok := in[resource.PropertyKey(pr.name)]
		if !ok || v.IsNull() {
			if pr.required {
				fs = append(fs, failure{pr.name, fmt.Sprintf("missing required property '%s'", pr.name)})
			}
			continue
		}
		if reason := typeError(pr, v); reason != "" {
			fs = append(fs, failure{pr.name, reason})
		}
	}
	if len(fs) > 0 {
		return in, fs
	}
	if t.defaults != nil {
		fs = append(fs, t.defaults(in)...)
	}
	for _, pr := range t.inputs {
		if pr.def != nil && absent(in, pr.name) {
			in[resource.PropertyKey(pr.name)] = *pr.def
		}
	}
	if t.validate != nil {
		fs = append(fs, t.validate(in)...)
	}
	return in, fs
}

// typeError checks a (non-null) input value against its property kind; unknown values
// pass. It returns "" when the value is fine.
func typeError(pr prop, v resource.PropertyValue) string {
	if unknown(v) && !v.IsObject() && !v.IsArray() {
		return ""
	}
	p, _ := plain(v)
	switch pr.kind {
	case kindBool:
		if !p.IsBool() {
			return fmt.Sprintf("%s must be a boolean, not %s", pr.name, p.TypeString())
		}
	case kindInt:
		if !p.IsNumber() {
			return fmt.Sprintf("%s must be an integer, not %s", pr.name, p.TypeString())
		}
		if _, ok := asInt(p.NumberValue()); !ok {
			return fmt.Sprintf("%s must be an integer, not %v", pr.name, p.NumberValue())
		}
	case kindString:
		if !p.IsString() {
			return fmt.Sprintf("%s must be a string, not %s", pr.name, p.TypeString())
		}
	case kindStringList:
		if !p.IsArray() {
			return fmt.Sprintf("%s must be a list of strings, not %s", pr.name, p.TypeString())
		}
		for i, e := range p.ArrayValue() {
			if unknown(e) {
				continue
			}
			if pe, _ := plain(e); !pe.IsString() {
				return fmt.Sprintf("%s[%d] must be a string, not %s", pr.name, i, pe.TypeString())
			}
		}
	case kindStringMap:
		if !p.IsObject() {
			return fmt.Sprintf("%s must be a map of strings, not %s", pr.name, p.TypeString())
		}
		for _, k := range sortedKeys(p.ObjectValue()) {
			e := p.ObjectValue()[resource.PropertyKey(k)]
			if unknown(e) {
				continue
			}
			if pe, _ := plain(e); !pe.IsString() && !pe.IsNull() {
				return fmt.Sprintf("%s.%s must be a string, not %s", pr.name, k, pe.TypeString())
			}
		}
	}
	return ""
}

func (p *randomProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "news")
	if err != nil {
		return nil, err
	}
	in, fs := checkInputs(t, news)
	inputs, err := p.marshal(in)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: inputs}
	for _, f := range fs {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.property, Reason: f.reason})
	}
	return resp, nil
}

// Diff: like terraform-provider-random, every input forces replacement (keepers
// included), so any changed input is a replace and nothing is ever updated in place.
// Unchanged inputs give no diff at all.
func (p *randomProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs(), "oldInputs")
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() == nil {
		// An engine that sends no old inputs: the old outputs hold the inputs too.
		if olds, err = unmarshal(req.GetOlds(), "olds"); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews(), "news")
	if err != nil {
		return nil, err
	}
	ignored := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignored[k] = true
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, pr := range t.inputs {
		if ignored[pr.name] {
			continue
		}
		key := resource.PropertyKey(pr.name)
		o, n := olds[key], news[key]
		if equalInputs(o, n, pr.emptyIsNull) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE_REPLACE
		switch {
		case absent(olds, pr.name):
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case absent(news, pr.name) && !unknown(n):
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		}
		resp.Replaces = append(resp.Replaces, pr.name)
		resp.Diffs = append(resp.Diffs, pr.name)
		detailed[pr.name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(resp.Replaces) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		resp.DetailedDiff = detailed
		resp.HasDetailedDiff = true
	}
	return resp, nil
}

// state merges checked inputs and computed outputs into the resource's output
// properties, marking the type's secret outputs as secrets.
func state(t *resourceType, inputs, outputs resource.PropertyMap) resource.PropertyMap {
	s := inputs.Copy()
	for k, v := range outputs {
		if pr := t.output(string(k)); pr != nil && pr.secret && !v.IsSecret() && !v.IsComputed() {
			v = resource.MakeSecret(v)
		}
		s[k] = v
	}
	return s
}

func (p *randomProvider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	props, err := unmarshal(req.GetProperties(), "properties")
	if err != nil {
		return nil, err
	}
	in, fs := checkInputs(t, props)
	if len(fs) > 0 {
		return nil, status.Errorf(codes.InvalidArgument, "%s: invalid inputs: %s", t.token, failuresText(fs))
	}
	if req.GetPreview() {
		// Nothing is generated during a preview: the outputs are not known yet.
		outs := resource.PropertyMap{}
		for _, pr := range t.outputs {
			outs[resource.PropertyKey(pr.name)] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		s, err := p.marshal(state(t, in, outs))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: s}, nil
	}
	if in.ContainsUnknowns() {
		return nil, status.Errorf(codes.InvalidArgument, "%s: cannot create with unknown inputs", t.token)
	}
	id, outs, err := t.create(in)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%s: %v", t.token, err)
	}
	s, err := p.marshal(state(t, in, outs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, nil
}

func failuresText(fs []failure) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += "; "
		}
		s += f.reason
	}
	return s
}

// Read (refresh): generated values never drift, so the stored state comes back
// unchanged. A Read with no state is an import (`pulumi import`): the ID is turned
// into state the way the real provider's import does.
func (p *randomProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if len(req.GetProperties().GetFields()) > 0 {
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	if t.importID == nil {
		return nil, status.Errorf(codes.Unimplemented, "%s cannot be imported", t.token)
	}
	id, inputs, outputs, err := t.importID(req.GetId())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "importing %s: %v", t.token, err)
	}
	s, err := p.marshal(state(t, inputs, outputs))
	if err != nil {
		return nil, err
	}
	in, err := p.marshal(inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: s, Inputs: in}, nil
}

// Update never happens for a real change (every change is a replace); the engine can
// still call it, e.g. when only ignored properties differ. The generated values are
// kept: the new inputs plus the old computed outputs.
func (p *randomProvider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, err := typeOf(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds(), "olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "news")
	if err != nil {
		return nil, err
	}
	in, _ := checkInputs(t, news)
	outs := resource.PropertyMap{}
	for _, pr := range t.outputs {
		if v, ok := olds[resource.PropertyKey(pr.name)]; ok {
			outs[resource.PropertyKey(pr.name)] = v
		}
	}
	s, err := p.marshal(state(t, in, outs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: s}, nil
}

// Delete: the values only live in the Pulumi state, so there is nothing to remove.
func (p *randomProvider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
