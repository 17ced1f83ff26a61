package main

// The plugin role of the language host: what the engine asks of it when a program uses a
// source-based component package (a directory with PulumiPlugin.yaml, runtime nodejs), e.g.
// `packages: {model-services: ./provider}` in a Pulumi YAML program. The engine gathers the
// plugin's own dependencies (GetRequiredPackages), installs them (InstallDependencies), and
// launches it (RunPlugin, kind "resource") with ProgramInfo{root: dir, program: dir, entry: "."}
// and the program's directory as the working directory.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// fakeStream collects what RunPlugin sends back to the engine.
type fakeStream struct {
	grpc.ServerStream
	ctx       context.Context
	responses []*pulumirpc.RunPluginResponse
}

func (s *fakeStream) Context() context.Context { return s.ctx }

func (s *fakeStream) Send(r *pulumirpc.RunPluginResponse) error {
	s.responses = append(s.responses, r)
	return nil
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// pluginDir lays out a component package as `npm install` leaves it: PulumiPlugin.yaml,
// package.json, and node_modules with @pulumi/pulumi's cmd/run-plugin and two provider SDKs.
func pluginDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "PulumiPlugin.yaml"), "runtime: nodejs\n", 0o644)
	writeFile(t, filepath.Join(dir, "package.json"), `{"name": "model-services-component-package", "main": "index.ts"}`, 0o644)
	nm := filepath.Join(dir, "node_modules")
	writeFile(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"), `{"name": "@pulumi/pulumi", "version": "3.270.0"}`, 0o644)
	writeFile(t, filepath.Join(nm, "@pulumi", "pulumi", "cmd", "run-plugin", "index.js"), "", 0o644)
	writeFile(t, filepath.Join(nm, "@pulumi", "kubernetes", "package.json"),
		`{"name": "@pulumi/kubernetes", "version": "4.34.2", "pulumi": {"resource": true, "name": "kubernetes"}}`, 0o644)
	// A provider SDK nested under the library that depends on it (npm's layout on a version clash).
	writeFile(t, filepath.Join(nm, "model-services", "node_modules", "@pulumi", "random", "package.json"),
		`{"name": "@pulumi/random", "version": "4.21.2", "pulumi": {"resource": true}}`, 0o644)
	writeFile(t, filepath.Join(nm, "model-services", "package.json"), `{"name": "model-services", "version": "0.2.0"}`, 0o644)
	return dir
}

// fakeNode puts a `node` on PATH that prints its working directory and arguments, then
// exits with the code in $FAKE_NODE_EXIT, the way @pulumi/pulumi's run-plugin prints the
// provider's port and later exits.
func fakeNode(t *testing.T) {
	t.Helper()
	bin := t.TempDir()
	writeFile(t, filepath.Join(bin, "node"), "#!/bin/sh\necho \"cwd=$(pwd)\"\necho \"args=$*\"\necho \"stderr line\" >&2\nexit ${FAKE_NODE_EXIT:-0}\n", 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestRunPluginLaunchesAComponentProviderFromItsDirectory(t *testing.T) {
	dir := pluginDir(t)
	fakeNode(t)
	program := t.TempDir() // the YAML program that uses the package: the engine's working directory
	stream := &fakeStream{ctx: context.Background()}

	err := newHost("", nil).RunPlugin(&pulumirpc.RunPluginRequest{
		Pwd:  program,
		Args: []string{"127.0.0.1:4242"},
		Env:  []string{"FAKE_NODE_EXIT=0"},
		Kind: "resource",
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	}, stream)
	if err != nil {
		t.Fatalf("RunPlugin: %v", err)
	}

	var stdout, stderr strings.Builder
	var exitCodes []int32
	for _, r := range stream.responses {
		switch o := r.GetOutput().(type) {
		case *pulumirpc.RunPluginResponse_Stdout:
			stdout.Write(o.Stdout)
		case *pulumirpc.RunPluginResponse_Stderr:
			stderr.Write(o.Stderr)
		case *pulumirpc.RunPluginResponse_Exitcode:
			exitCodes = append(exitCodes, o.Exitcode)
		}
	}
	runPlugin := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin")
	// run-plugin takes the program first; what follows becomes the provider's process.argv.
	want := "cwd=" + dir + "\nargs=" + runPlugin + " " + dir + " 127.0.0.1:4242\n"
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if stderr.String() != "stderr line\n" {
		t.Errorf("stderr = %q", stderr.String())
	}
	if len(exitCodes) != 1 || exitCodes[0] != 0 {
		t.Errorf("exit codes = %v, want [0] as the last message", exitCodes)
	}
}

func TestRunPluginStartsAPolicyPackWithTheEngineAddressFirst(t *testing.T) {
	dir := pluginDir(t)
	writeFile(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js"), "", 0o644)
	fakeNode(t)
	stream := &fakeStream{ctx: context.Background()}
	err := newHost("", nil).RunPlugin(&pulumirpc.RunPluginRequest{
		Args: []string{"127.0.0.1:4242"},
		Kind: "analyzer",
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	}, stream)
	if err != nil {
		t.Fatalf("RunPlugin: %v", err)
	}
	runPolicyPack := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack")
	want := "args=" + runPolicyPack + " 127.0.0.1:4242 " + dir + "\n"
	var stdout strings.Builder
	for _, r := range stream.responses {
		stdout.Write(r.GetStdout())
	}
	if got := strings.SplitAfter(stdout.String(), "\n")[1]; got != want {
		t.Errorf("args line = %q, want %q", got, want)
	}
}

func TestRunPluginReportsTheProvidersExitCode(t *testing.T) {
	dir := pluginDir(t)
	fakeNode(t)
	stream := &fakeStream{ctx: context.Background()}
	err := newHost("", nil).RunPlugin(&pulumirpc.RunPluginRequest{
		Env:  []string{"FAKE_NODE_EXIT=3"},
		Kind: "resource",
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	}, stream)
	if err != nil {
		t.Fatalf("RunPlugin: %v", err)
	}
	last := stream.responses[len(stream.responses)-1]
	if last.GetExitcode() != 3 {
		t.Errorf("last response = %v, want exit code 3", last)
	}
}

func TestRunPluginWithoutNodeModulesSaysWhatToInstall(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "PulumiPlugin.yaml"), "runtime: nodejs\n", 0o644)
	fakeNode(t)
	err := newHost("", nil).RunPlugin(&pulumirpc.RunPluginRequest{
		Kind: "resource",
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	}, &fakeStream{ctx: context.Background()})
	if err == nil || !strings.Contains(err.Error(), "node_modules/@pulumi/pulumi/cmd/run-plugin") || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("err = %v, want one naming run-plugin and npm ci", err)
	}
}

func TestGetRequiredPackagesOfAPluginListsItsProviderSDKs(t *testing.T) {
	dir := pluginDir(t)
	resp, err := newHost("", nil).GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
	})
	if err != nil {
		t.Fatalf("GetRequiredPackages: %v", err)
	}
	var got []string
	for _, p := range resp.GetPackages() {
		got = append(got, p.GetKind()+" "+p.GetName()+" "+p.GetVersion())
	}
	want := []string{"resource kubernetes v4.34.2", "resource random v4.21.2"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("packages = %v, want %v (only provider SDKs; @pulumi/pulumi and the library itself are not plugins)", got, want)
	}
}

func TestGetPluginInfoReportsTheHostVersion(t *testing.T) {
	info, err := newHost("", nil).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != strings.TrimPrefix(hostVersion(), "v") {
		t.Errorf("version = %q, want %q", info.GetVersion(), hostVersion())
	}
}
