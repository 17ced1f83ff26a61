package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// bailExitCode is what @pulumi/pulumi's cmd/run exits with after it has already reported
// the error to the engine; the engine then must not print a second, generic error.
const bailExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu         sync.Mutex
	engineAddr string
	flags      map[string]string // legacy "-typescript=false"-style runtime options
}

func newHost(engineAddr string, flags map[string]string) *host {
	return &host{engineAddr: engineAddr, flags: flags}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddr
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddr = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(hostVersion(), "v")}, nil
}

// options are the runtime options of Pulumi.yaml (`runtime: {name: nodejs, options: ...}`).
type options struct {
	typescript     bool
	tsconfig       string
	nodeargs       []string
	packagemanager string
}

func (h *host) options(info *pulumirpc.ProgramInfo) options {
	o := options{typescript: true}
	get := func(name string) (string, bool) {
		if info != nil && info.GetOptions() != nil {
			if v, ok := info.GetOptions().GetFields()[name]; ok {
				switch k := v.GetKind().(type) {
				case *structpb.Value_BoolValue:
					return strconv.FormatBool(k.BoolValue), true
				case *structpb.Value_StringValue:
					return k.StringValue, true
				case *structpb.Value_NumberValue:
					return strconv.FormatFloat(k.NumberValue, 'f', -1, 64), true
				}
			}
		}
		v, ok := h.flags[name]
		return v, ok
	}
	if v, ok := get("typescript"); ok && v != "" {
		o.typescript = v != "false"
	}
	o.tsconfig, _ = get("tsconfig")
	if v, ok := get("nodeargs"); ok {
		o.nodeargs = strings.Fields(v)
	}
	o.packagemanager, _ = get("packagemanager")
	return o
}

func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if pwd != "" {
		return pwd
	}
	wd, _ := os.Getwd()
	return wd
}

// findUp returns the first dir/rel that exists, walking from dir towards the root.
func findUp(dir, rel string) (string, bool) {
	dir, _ = filepath.Abs(dir)
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// locateNode finds `node` on PATH and @pulumi/pulumi's cmd/<script> (run, run-plugin,
// run-policy-pack) in the node_modules nearest to dir.
func locateNode(dir, script string) (node, runScript string, err error) {
	runScript, ok := findUp(dir, filepath.Join("node_modules", "@pulumi", "pulumi", "cmd", script))
	if !ok {
		return "", "", fmt.Errorf("could not find node_modules/@pulumi/pulumi/cmd/%s from %s: "+
			"install the project's npm dependencies first (npm ci)", script, dir)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", fmt.Errorf("could not find `node` on PATH: %w", err)
	}
	return node, runScript, nil
}

// entryPoint is the program to run: the program info's entry point, else the request's
// (deprecated) program field, else the directory itself.
func entryPoint(info *pulumirpc.ProgramInfo, program string) string {
	if info != nil && info.GetEntryPoint() != "" {
		program = info.GetEntryPoint()
	}
	if program == "" {
		program = "."
	}
	return program
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := h.options(info)

	node, runScript, err := locateNode(dir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	program := entryPoint(info, req.GetProgram())

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runScript)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name+"="+value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engine())
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	if info != nil {
		flag("root-directory", info.GetRootDirectory())
	}
	flag("pwd", req.GetPwd())
	if req.GetParallel() > 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	env := os.Environ()
	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{}
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env = append(env,
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf(
				"Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("running node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// pulumiPackage is the "pulumi" section of a provider SDK's package.json.
type pulumiPackage struct {
	Resource bool   `json:"resource"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Server   string `json:"server"`
}

type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          *pulumiPackage    `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// requiredPlugins walks node_modules (including nested and scoped packages) from the
// program directory and collects the resource plugins that provider SDKs declare.
func requiredPlugins(dir string) ([]pulumiPackage, error) {
	nm, ok := findUp(dir, "node_modules")
	if !ok {
		return nil, nil
	}
	seen := map[string]pulumiPackage{}
	var walk func(nodeModules string, depth int) error
	walk = func(nodeModules string, depth int) error {
		if depth > 8 {
			return nil
		}
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return nil
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			pkgDirs := []string{filepath.Join(nodeModules, name)}
			if strings.HasPrefix(name, "@") {
				scoped, _ := os.ReadDir(pkgDirs[0])
				pkgDirs = pkgDirs[:0]
				for _, s := range scoped {
					pkgDirs = append(pkgDirs, filepath.Join(nodeModules, name, s.Name()))
				}
			}
			for _, pd := range pkgDirs {
				p, err := readPackageJSON(filepath.Join(pd, "package.json"))
				if err == nil && p.Pulumi != nil && p.Pulumi.Resource {
					pp := *p.Pulumi
					if pp.Name == "" {
						pp.Name = strings.TrimPrefix(p.Name, "@pulumi/")
					}
					if pp.Version == "" {
						pp.Version = p.Version
					}
					seen[pp.Name+"@"+pp.Version] = pp
				}
				if err := walk(filepath.Join(pd, "node_modules"), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(nm, 0); err != nil {
		return nil, err
	}
	out := make([]pulumiPackage, 0, len(seen))
	for _, p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].Version < out[j].Name+out[j].Version })
	return out, nil
}

func semver(v string) string {
	if v == "" || strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	plugins, err := requiredPlugins(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, p := range plugins {
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Kind: "resource", Name: p.Name, Version: semver(p.Version), Server: p.Server,
		})
	}
	return resp, nil
}

func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	plugins, err := requiredPlugins(programDir(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, p := range plugins {
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Kind: "resource", Name: p.Name, Version: semver(p.Version), Server: p.Server,
		})
	}
	return resp, nil
}

// InstallDependencies runs the project's package manager (npm unless Pulumi.yaml says
// otherwise) in the program directory, streaming its output to the engine.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetDirectory()
	if req.GetInfo() != nil && req.GetInfo().GetProgramDirectory() != "" {
		dir = req.GetInfo().GetProgramDirectory()
	}
	pm := h.options(req.GetInfo()).packagemanager
	if pm == "" || pm == "auto" {
		pm = "npm"
		if _, err := os.Stat(filepath.Join(dir, "yarn.lock")); err == nil {
			pm = "yarn"
		} else if _, err := os.Stat(filepath.Join(dir, "pnpm-lock.yaml")); err == nil {
			pm = "pnpm"
		}
	}
	fmt.Fprintf(stdout, "Installing dependencies with %s...\n\n", pm)
	cmd := exec.CommandContext(server.Context(), pm, "install")
	cmd.Dir = dir
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("`%s install` failed in %s: %w", pm, dir, err)
	}
	fmt.Fprintln(stdout, "Finished installing dependencies")
	return nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find `node` on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies reports the direct dependencies of the program's package.json
// with the versions installed in node_modules.
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	pkgPath, ok := findUp(dir, "package.json")
	if !ok {
		return nil, fmt.Errorf("no package.json found from %s", dir)
	}
	p, err := readPackageJSON(pkgPath)
	if err != nil {
		return nil, err
	}
	deps := map[string]string{}
	for k, v := range p.Dependencies {
		deps[k] = v
	}
	if req.GetTransitiveDependencies() {
		for k, v := range p.DevDependencies {
			deps[k] = v
		}
	}
	names := make([]string, 0, len(deps))
	for k := range deps {
		names = append(names, k)
	}
	sort.Strings(names)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, name := range names {
		v := deps[name]
		if installed, err := readPackageJSON(
			filepath.Join(filepath.Dir(pkgPath), "node_modules", name, "package.json")); err == nil {
			v = installed.Version
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return resp, nil
}

func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}
