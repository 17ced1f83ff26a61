// Command pulumi-language-nodejs is this project's Node.js language host for the Pulumi
// engine.
//
// Upstream's language host module is not served by the Go module proxy, so the
// toolchain cannot build it; this is a small, independent implementation of the
// LanguageRuntime gRPC service (proto from github.com/pulumi/pulumi/sdk/v3). Like
// upstream, it runs the program through the `cmd/run` entry point shipped inside the
// program's own @pulumi/pulumi npm package, which does the real work (TypeScript via
// ts-node, connecting to the resource monitor, config, error reporting).
//
// The engine starts it as `pulumi-language-nodejs [flags] ENGINE_ADDRESS`; it prints the
// port it listens on, serves until the engine goes away, and exits.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	var engineAddr string
	flags := map[string]string{}
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-") {
			name, val, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			flags[name] = val
			continue
		}
		engineAddr = a
	}
	if _, ok := flags["version"]; ok {
		fmt.Println(hostVersion())
		return
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	h := newHost(engineAddr, flags)
	if engineAddr != "" {
		// Exit when the engine stops answering, like every Pulumi plugin does.
		if err := rpcutil.Healthcheck(ctx, engineAddr, 5*time.Minute, cancel); err != nil {
			fatalf("could not start health check against %s: %v", engineAddr, err)
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel(ctx),
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.OTelServerInterceptorOptions(),
	})
	if err != nil {
		fatalf("could not start the language host RPC server: %v", err)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatalf("language host RPC server stopped: %v", err)
	}
}

func hostVersion() string {
	if version.Version != "" {
		return version.Version
	}
	return "v0.0.0-dev"
}

func cancelChannel(ctx context.Context) chan bool {
	ch := make(chan bool)
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: "+format+"\n", args...)
	os.Exit(1)
}
