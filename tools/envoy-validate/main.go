// Command envoy-validate checks Envoy configuration files against Envoy's own API, as
// published in go-control-plane, without an Envoy binary.
//
// Each file is JSON: a Bootstrap, or a DiscoveryResponse (a file that path_config_source
// points at: listeners, route configurations, clusters or secrets). A file is parsed
// strictly (an unknown field, a wrong type or an unresolvable type URL is an error), then
// the top message and every message packed in an Any (typed_config, typed_per_filter_config,
// discovery resources) is checked with the protoc-gen-validate rules Envoy enforces
// (ValidateAll). The generated validators stop at Any, so the walk unpacks each one itself.
// Deprecated fields and enum values are errors unless -allow-deprecated is given.
//
// Checked across the files given together (when all of them parse): every cluster a route names is defined; every
// RDS route configuration and SDS secret is defined; every path_config_source path names
// one of the files, holds the resource type its config source expects, and sits in its
// watched_directory; every typed_per_filter_config key names an HTTP filter of the
// connection manager that uses those routes (else Envoy ignores it silently); every filter
// that discovers its config (ECDS) finds a TypedExtensionConfig of its name whose type is one
// of the filter's type_urls; no two clusters, listeners, route configurations, secrets or
// extension configs share a name; no two listeners share an address.
//
// Usage: envoy-validate [-allow-deprecated] FILE|DIR...   (a DIR means its *.json files)
// Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
)

// Resource types a path_config_source file may hold, by the config source that reads it.
const (
	listenerType    = "envoy.config.listener.v3.Listener"
	routeConfigType = "envoy.config.route.v3.RouteConfiguration"
	clusterType     = "envoy.config.cluster.v3.Cluster"
	secretType      = "envoy.extensions.transport_sockets.tls.v3.Secret"
	endpointsType   = "envoy.config.endpoint.v3.ClusterLoadAssignment"
	extensionType   = "envoy.config.core.v3.TypedExtensionConfig"
)

// The type of an empty discovery response without a type_url: it fits any config source.
const anyType = "*"

var discoveryTypes = map[string]bool{listenerType: true, routeConfigType: true, clusterType: true, secretType: true, endpointsType: true, extensionType: true}

// Messages packed in an Any whose content escapes strict checking.
var untypedAny = map[string]bool{"xds.type.v3.TypedStruct": true, "udpa.type.v1.TypedStruct": true}

type problem struct {
	file, path, msg string
	warning         bool
}

// A file's path_config_source that must exist among the inputs and hold resources of a type.
type fileRef struct {
	file, path, source, wantType, watched string
}

type named struct{ file, path string }

type validator struct {
	allowDeprecated bool
	problems        []problem
	messages, anys  int
	unparsed        int // files that failed to parse: cross-file checks would only echo that

	// file base name → resource type it holds ("" for a bootstrap)
	fileTypes map[string]string
	fileRefs  []fileRef

	defined    map[string]map[string][]named // resource type → name → where
	referenced map[string]map[string][]named // resource type → name → where
	addresses  map[string][]named            // listener address → where

	// Per-filter config keys must name an HTTP filter of the connection manager using the
	// routes, or the config is silently ignored.
	routeFilterKeys map[string][]filterKey // RDS route configuration name → its per-filter keys
	hcmFilters      []hcmUse               // connection managers reading a route configuration via RDS

	// Extension configs (ECDS) by name → the type of their typed_config, and the filters
	// that discover them with the types they accept.
	extensionTypes map[string]string
	discoveries    []discovery
}

type discovery struct {
	name, file, path string
	typeURLs         []string
}

type filterKey struct{ key, file, path string }

type hcmUse struct {
	routeConfig, file, path string
	filters                 map[string]bool
}

func main() {
	allowDeprecated := flag.Bool("allow-deprecated", false, "report deprecated fields and enum values as warnings, not errors")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: envoy-validate [-allow-deprecated] FILE|DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := expand(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "envoy-validate:", err)
		os.Exit(2)
	}

	v := &validator{
		allowDeprecated: *allowDeprecated,
		fileTypes:       map[string]string{},
		defined:         map[string]map[string][]named{},
		referenced:      map[string]map[string][]named{},
		addresses:       map[string][]named{},
		routeFilterKeys: map[string][]filterKey{},
		extensionTypes:  map[string]string{},
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "envoy-validate:", err)
			os.Exit(2)
		}
		v.file(f, data)
	}
	v.crossCheck()

	errs := 0
	for _, p := range v.problems {
		kind := "error"
		if p.warning {
			kind = "warning"
		} else {
			errs++
		}
		if p.path != "" {
			fmt.Printf("%s: %s: %s: %s\n", p.file, kind, p.path, p.msg)
		} else {
			fmt.Printf("%s: %s: %s\n", p.file, kind, p.msg)
		}
	}
	if errs > 0 {
		fmt.Printf("envoy-validate: %d error(s) in %d file(s)\n", errs, len(files))
		os.Exit(1)
	}
	fmt.Printf("envoy-validate: %d file(s) valid (%d messages, %d typed configs checked)\n", len(files), v.messages, v.anys)
}

// expand turns the arguments into a sorted list of files; a directory contributes its *.json files.
func expand(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: no *.json files", a)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	return files, nil
}

func (v *validator) add(file, path, format string, args ...any) {
	v.problems = append(v.problems, problem{file: file, path: path, msg: fmt.Sprintf(format, args...)})
}

// file parses one file strictly as a Bootstrap or a DiscoveryResponse and checks it.
func (v *validator) file(name string, data []byte) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		v.add(name, "", "not a JSON object: %v", err)
		v.unparsed++
		return
	}
	_, hasResources := top["resources"]
	_, hasTypeURL := top["type_url"]
	_, hasVersion := top["version_info"]
	strict := protojson.UnmarshalOptions{} // unknown fields and unresolvable Any types are errors

	if !hasResources && !hasTypeURL && !hasVersion {
		b := &bootstrapv3.Bootstrap{}
		if err := strict.Unmarshal(data, b); err != nil {
			v.add(name, "", "as envoy.config.bootstrap.v3.Bootstrap: %v", err)
			v.unparsed++
			return
		}
		v.fileTypes[filepath.Base(name)] = ""
		v.check(name, "Bootstrap", b)
		return
	}

	dr := &discoveryv3.DiscoveryResponse{}
	if err := strict.Unmarshal(data, dr); err != nil {
		v.add(name, "", "as envoy.service.discovery.v3.DiscoveryResponse: %v", err)
		v.unparsed++
		return
	}
	fileType := ""
	for i, r := range dr.Resources {
		t := string(r.MessageName())
		if !discoveryTypes[t] {
			v.add(name, fmt.Sprintf("resources[%d]", i), "%s is not a resource type a file-based config source serves", t)
		}
		if fileType == "" {
			fileType = t
		} else if t != fileType {
			v.add(name, fmt.Sprintf("resources[%d]", i), "mixes %s with %s; one file serves one resource type", t, fileType)
		}
	}
	declared := strings.TrimPrefix(dr.TypeUrl, "type.googleapis.com/")
	switch {
	case dr.TypeUrl != "" && !discoveryTypes[declared]:
		v.add(name, "type_url", "%q is not a resource type a file-based config source serves", dr.TypeUrl)
	case dr.TypeUrl != "" && fileType != "" && declared != fileType:
		v.add(name, "type_url", "%q does not match the resources' type %s", dr.TypeUrl, fileType)
	case fileType == "":
		// No resources (e.g. every service stopped): the declared type, if any, says what the file serves.
		fileType = declared
		if fileType == "" {
			fileType = anyType
		}
	}
	v.fileTypes[filepath.Base(name)] = fileType
	v.check(name, "DiscoveryResponse", dr)
}

// check validates one message (a top message or the content of an Any) and walks into it.
func (v *validator) check(file, path string, m proto.Message) {
	if val, ok := m.(interface{ ValidateAll() error }); ok {
		if err := val.ValidateAll(); err != nil {
			for _, e := range flatten(err) {
				v.add(file, path, "%v", e)
			}
		}
	}
	v.visit(file, path, m.ProtoReflect())
}

// flatten expands the validators' multi-errors into their single errors.
func flatten(err error) []error {
	var multi interface{ AllErrors() []error }
	if errors.As(err, &multi) {
		var out []error
		for _, e := range multi.AllErrors() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// visit inspects a message: unpacks an Any, records names and references, then walks its fields.
func (v *validator) visit(file, path string, m protoreflect.Message) {
	v.messages++
	full := string(m.Descriptor().FullName())
	if full == "google.protobuf.Any" {
		a := m.Interface().(*anypb.Any)
		inner, err := a.UnmarshalNew()
		if err != nil {
			v.add(file, path, "typed config %q cannot be unpacked: %v", a.GetTypeUrl(), err)
			return
		}
		innerName := string(inner.ProtoReflect().Descriptor().FullName())
		if untypedAny[innerName] {
			v.add(file, path, "%s escapes strict checking; use the typed message instead", innerName)
		}
		v.anys++
		v.check(file, fmt.Sprintf("%s<%s>", path, shortName(innerName)), inner)
		return
	}
	v.record(file, path, full, m)
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		fpath := path + "." + string(fd.Name())
		v.deprecation(file, fpath, fd, val)
		switch {
		case fd.IsList():
			l := val.List()
			for i := 0; i < l.Len(); i++ {
				if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
					v.visit(file, fmt.Sprintf("%s[%d]", fpath, i), l.Get(i).Message())
				}
			}
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				keys := []protoreflect.MapKey{}
				val.Map().Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
					keys = append(keys, k)
					return true
				})
				sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
				for _, k := range keys {
					v.visit(file, fmt.Sprintf("%s[%s]", fpath, k.String()), val.Map().Get(k).Message())
				}
			}
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			v.visit(file, fpath, val.Message())
		}
		return true
	})
}

// deprecation reports a set field, or an enum value, that Envoy's API marks deprecated.
func (v *validator) deprecation(file, path string, fd protoreflect.FieldDescriptor, val protoreflect.Value) {
	report := func(what string) {
		v.problems = append(v.problems, problem{file: file, path: path, msg: what + " is deprecated in this Envoy version; use its replacement", warning: v.allowDeprecated})
	}
	if opts, ok := fd.Options().(*descriptorpb.FieldOptions); ok && opts.GetDeprecated() {
		report("field " + string(fd.Name()))
	}
	if fd.Kind() != protoreflect.EnumKind {
		return
	}
	var nums []protoreflect.EnumNumber
	switch {
	case fd.IsList():
		for i := 0; i < val.List().Len(); i++ {
			nums = append(nums, val.List().Get(i).Enum())
		}
	case fd.IsMap():
		return
	default:
		nums = append(nums, val.Enum())
	}
	for _, n := range nums {
		ev := fd.Enum().Values().ByNumber(n)
		if ev == nil {
			continue
		}
		if opts, ok := ev.Options().(*descriptorpb.EnumValueOptions); ok && opts.GetDeprecated() {
			report("enum value " + string(ev.Name()))
		}
	}
}

func shortName(full string) string {
	return full[strings.LastIndex(full, ".")+1:]
}

func str(m protoreflect.Message, field string) string {
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(field))
	if fd == nil || !m.Has(fd) {
		return ""
	}
	return m.Get(fd).String()
}

func msg(m protoreflect.Message, field string) protoreflect.Message {
	if m == nil {
		return nil
	}
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(field))
	if fd == nil || !m.Has(fd) {
		return nil
	}
	return m.Get(fd).Message()
}

func list(m protoreflect.Message, field string) protoreflect.List {
	if m == nil {
		return nil
	}
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(field))
	if fd == nil || !fd.IsList() || !m.Has(fd) {
		return nil
	}
	return m.Get(fd).List()
}

// perFilterKeys lists the typed_per_filter_config keys of a route configuration, its
// virtual hosts and their routes.
func perFilterKeys(rc protoreflect.Message, file, path string) []filterKey {
	var out []filterKey
	add := func(m protoreflect.Message, at string) {
		fd := m.Descriptor().Fields().ByName("typed_per_filter_config")
		if fd == nil || !m.Has(fd) {
			return
		}
		m.Get(fd).Map().Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			out = append(out, filterKey{key: k.String(), file: file, path: fmt.Sprintf("%s.typed_per_filter_config[%s]", at, k.String())})
			return true
		})
	}
	add(rc, path)
	if vhosts := list(rc, "virtual_hosts"); vhosts != nil {
		for i := 0; i < vhosts.Len(); i++ {
			vh := vhosts.Get(i).Message()
			vpath := fmt.Sprintf("%s.virtual_hosts[%d]", path, i)
			add(vh, vpath)
			if routes := list(vh, "routes"); routes != nil {
				for j := 0; j < routes.Len(); j++ {
					add(routes.Get(j).Message(), fmt.Sprintf("%s.routes[%d]", vpath, j))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func (v *validator) define(kind, name, file, path string) {
	if v.defined[kind] == nil {
		v.defined[kind] = map[string][]named{}
	}
	v.defined[kind][name] = append(v.defined[kind][name], named{file, path})
}

func (v *validator) reference(kind, name, file, path string) {
	if name == "" {
		return
	}
	if v.referenced[kind] == nil {
		v.referenced[kind] = map[string][]named{}
	}
	v.referenced[kind][name] = append(v.referenced[kind][name], named{file, path})
}

// pathSource records the file a config source reads, when it reads one.
func (v *validator) pathSource(file, path string, configSource protoreflect.Message, wantType string) {
	if configSource == nil {
		return
	}
	pcs := msg(configSource, "path_config_source")
	if pcs == nil {
		return
	}
	watched := ""
	if wd := msg(pcs, "watched_directory"); wd != nil {
		watched = str(wd, "path")
	}
	v.fileRefs = append(v.fileRefs, fileRef{file: file, path: path, source: str(pcs, "path"), wantType: wantType, watched: watched})
}

// record notes the names a message defines and the names and files it refers to.
func (v *validator) record(file, path, full string, m protoreflect.Message) {
	switch full {
	case clusterType, listenerType, secretType:
		v.define(full, str(m, "name"), file, path)
		if full == listenerType {
			if s := msg(msg(m, "address"), "socket_address"); s != nil {
				port := s.Get(s.Descriptor().Fields().ByName("port_value")).Uint()
				key := fmt.Sprintf("%s:%d", str(s, "address"), port)
				v.addresses[key] = append(v.addresses[key], named{file, path})
			}
		}
	case routeConfigType:
		// Only route configurations served by RDS have names others refer to; inline ones are
		// checked where their connection manager is.
		if strings.HasPrefix(path, "DiscoveryResponse.resources") {
			v.define(full, str(m, "name"), file, path)
			v.routeFilterKeys[str(m, "name")] = perFilterKeys(m, file, path)
		}
	case "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager":
		filters := map[string]bool{}
		if l := list(m, "http_filters"); l != nil {
			for i := 0; i < l.Len(); i++ {
				filters[str(l.Get(i).Message(), "name")] = true
			}
		}
		if rc := msg(m, "route_config"); rc != nil {
			for _, k := range perFilterKeys(rc, file, path+".route_config") {
				if !filters[k.key] {
					v.add(k.file, k.path, "per-filter config %q names no HTTP filter of its connection manager, so Envoy would ignore it", k.key)
				}
			}
		}
		if rds := msg(m, "rds"); rds != nil {
			v.hcmFilters = append(v.hcmFilters, hcmUse{routeConfig: str(rds, "route_config_name"), file: file, path: path, filters: filters})
		}
	case "envoy.config.route.v3.RouteAction":
		v.reference(clusterType, str(m, "cluster"), file, path)
		if wc := msg(m, "weighted_clusters"); wc != nil {
			fd := wc.Descriptor().Fields().ByName("clusters")
			l := wc.Get(fd).List()
			for i := 0; i < l.Len(); i++ {
				v.reference(clusterType, str(l.Get(i).Message(), "name"), file, path)
			}
		}
	case "envoy.extensions.filters.network.http_connection_manager.v3.Rds":
		v.reference(routeConfigType, str(m, "route_config_name"), file, path)
		v.pathSource(file, path+".config_source", msg(m, "config_source"), routeConfigType)
	case "envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig":
		if cs := msg(m, "sds_config"); cs != nil {
			v.reference(secretType, str(m, "name"), file, path)
			v.pathSource(file, path+".sds_config", cs, secretType)
		}
	case "envoy.config.bootstrap.v3.Bootstrap.DynamicResources":
		v.pathSource(file, path+".lds_config", msg(m, "lds_config"), listenerType)
		v.pathSource(file, path+".cds_config", msg(m, "cds_config"), clusterType)
	case extensionType:
		if strings.HasPrefix(path, "DiscoveryResponse.resources") {
			v.define(full, str(m, "name"), file, path)
			if tc := msg(m, "typed_config"); tc != nil {
				v.extensionTypes[str(m, "name")] = str(tc, "type_url")
			}
		}
	case "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter":
		// A filter with config_discovery asks for the extension config named like the filter.
		cd := msg(m, "config_discovery")
		if cd == nil {
			break
		}
		name, at := str(m, "name"), path+".config_discovery"
		v.reference(extensionType, name, file, at)
		v.pathSource(file, at+".config_source", msg(cd, "config_source"), extensionType)
		d := discovery{name: name, file: file, path: at}
		if l := list(cd, "type_urls"); l != nil {
			for i := 0; i < l.Len(); i++ {
				d.typeURLs = append(d.typeURLs, l.Get(i).String())
			}
		}
		v.discoveries = append(v.discoveries, d)
	case "envoy.config.cluster.v3.Cluster.EdsClusterConfig":
		v.pathSource(file, path+".eds_config", msg(m, "eds_config"), endpointsType)
	}
}

func (v *validator) crossCheck() {
	if v.unparsed > 0 {
		return
	}
	kinds := func(m map[string]map[string][]named) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for _, kind := range kinds(v.referenced) {
		names := sortedKeys(v.referenced[kind])
		for _, name := range names {
			if len(v.defined[kind][name]) > 0 {
				continue
			}
			for _, at := range v.referenced[kind][name] {
				v.add(at.file, at.path, "refers to %s %q, which none of the files defines", shortName(kind), name)
			}
		}
	}
	for _, kind := range kinds(v.defined) {
		for _, name := range sortedKeys(v.defined[kind]) {
			where := v.defined[kind][name]
			if name == "" {
				for _, at := range where {
					v.add(at.file, at.path, "%s without a name", shortName(kind))
				}
				continue
			}
			for _, at := range where[1:] {
				v.add(at.file, at.path, "%s name %q is already used at %s %s", shortName(kind), name, where[0].file, where[0].path)
			}
		}
	}
	for _, addr := range sortedKeys(v.addresses) {
		where := v.addresses[addr]
		for _, at := range where[1:] {
			v.add(at.file, at.path, "listener address %s is already bound at %s %s", addr, where[0].file, where[0].path)
		}
	}
	for _, use := range v.hcmFilters {
		for _, k := range v.routeFilterKeys[use.routeConfig] {
			if !use.filters[k.key] {
				v.add(k.file, k.path, "per-filter config %q names no HTTP filter of the connection manager at %s %s, so Envoy would ignore it", k.key, use.file, use.path)
			}
		}
	}
	for _, d := range v.discoveries {
		held, ok := v.extensionTypes[d.name]
		if !ok {
			continue // reported above as an undefined extension config
		}
		accepted := false
		for _, t := range d.typeURLs {
			accepted = accepted || t == held
		}
		if !accepted {
			v.add(d.file, d.path, "extension config %q holds %s, which is not among the filter's type_urls %v", d.name, held, d.typeURLs)
		}
	}
	for _, r := range v.fileRefs {
		base := filepath.Base(r.source)
		held, ok := v.fileTypes[base]
		switch {
		case r.source == "":
			v.add(r.file, r.path, "path_config_source without a path")
		case !ok:
			v.add(r.file, r.path, "reads %s, which is not among the validated files", r.source)
		case held != r.wantType && held != anyType:
			v.add(r.file, r.path, "reads %s, which holds %s, but this config source expects %s", r.source, orBootstrap(held), r.wantType)
		}
		if r.watched != "" && filepath.Clean(r.watched) != filepath.Dir(r.source) {
			v.add(r.file, r.path, "watched_directory %s does not hold %s, so a swap of that file would not reload it", r.watched, r.source)
		}
	}
}

func orBootstrap(t string) string {
	if t == "" {
		return "a Bootstrap"
	}
	return t
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
