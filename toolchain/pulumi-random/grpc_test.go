package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

func dial(t *testing.T, addr string) pulumirpc.ResourceProviderClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pulumirpc.NewResourceProviderClient(conn)
}

// The provider over a real gRPC connection (loopback), the way the engine drives it:
// Configure, Check, Diff, Create, Read.
func TestOverGRPC(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pulumirpc.RegisterResourceProviderServer(srv, newProvider("4.21.2"))
	go srv.Serve(lis) //nolint:errcheck // stopped below
	defer srv.Stop()
	c := dial(t, lis.Addr().String())

	if _, err := c.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true, AcceptResources: true}); err != nil {
		t.Fatal(err)
	}
	chk, err := c.Check(ctx, &pulumirpc.CheckRequest{
		Urn: urn(tokPassword), Type: tokPassword,
		News: toStruct(t, map[string]any{"length": 24, "special": false, "keepers": map[string]any{"rotation": "0"}}),
	})
	if err != nil || len(chk.Failures) > 0 {
		t.Fatalf("Check = %v, %v", chk, err)
	}
	cr, err := c.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(tokPassword), Type: tokPassword, Properties: chk.Inputs})
	if err != nil {
		t.Fatal(err)
	}
	st := fromStruct(t, cr.Properties)
	r, secret := secretString(t, st, "result")
	if cr.Id != "none" || len(r) != 24 || !secret || strings.ContainsAny(r, defaultSpecialChars) {
		t.Errorf("Create over gRPC: id %q result %q secret %v", cr.Id, r, secret)
	}
	d, err := c.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(tokPassword), Type: tokPassword, Id: cr.Id, Olds: cr.Properties, OldInputs: chk.Inputs, News: chk.Inputs})
	if err != nil || d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("Diff(same inputs) over gRPC = %v, %v", d, err)
	}
	rd, err := c.Read(ctx, &pulumirpc.ReadRequest{Urn: urn(tokPassword), Type: tokPassword, Id: cr.Id, Properties: cr.Properties, Inputs: chk.Inputs})
	if err != nil {
		t.Fatal(err)
	}
	if got := fromStruct(t, rd.Properties); !got.DeepEquals(st) {
		t.Errorf("Read over gRPC changed the state: %v", got)
	}
	if _, err := c.Construct(ctx, &pulumirpc.ConstructRequest{}); err == nil {
		t.Errorf("Construct should be unimplemented")
	}
}

// The built plugin binary: the version comes from -X main.version, and it serves the
// provider protocol on the port it prints (started without an engine address, i.e. in
// attach mode, so the test needs no engine).
func TestBinaryVersionFromLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	bin := filepath.Join(t.TempDir(), "pulumi-resource-random")
	// The same flags as scripts/toolchain.sh.
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.providerVersion=9.8.7", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-version").Output()
	if err != nil || string(out) != "9.8.7\n" {
		t.Fatalf("-version printed %q, %v; want 9.8.7", out, err)
	}
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	portc := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		portc <- strings.TrimSpace(line)
	}()
	var port string
	select {
	case port = <-portc:
	case <-time.After(30 * time.Second):
		t.Fatal("the plugin printed no port")
	}
	if port == "" {
		t.Fatal("the plugin printed an empty first line")
	}
	c := dial(t, "127.0.0.1:"+port)
	info, err := c.GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil || info.Version != "9.8.7" {
		t.Fatalf("GetPluginInfo = %v, %v; want 9.8.7", info, err)
	}
	chk, err := c.Check(ctx, &pulumirpc.CheckRequest{Urn: urn(tokID), Type: tokID, News: toStruct(t, map[string]any{"byteLength": 0})})
	if err != nil || len(chk.Failures) != 1 || chk.Failures[0].Property != "byteLength" {
		t.Errorf("Check(byteLength 0) = %v, %v", chk, err)
	}
}
