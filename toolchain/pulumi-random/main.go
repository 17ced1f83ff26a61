// Command pulumi-resource-random is this project's stand-in for the Pulumi "random"
// provider plugin, serving the resource types of the @pulumi/random npm SDK.
//
// Why it exists: upstream's provider (github.com/pulumi/pulumi-random/provider/v4, a
// Terraform bridge of terraform-provider-random v3) is not served by the Go module proxy
// at any version, nor is terraform-provider-random v3, so it cannot be built here. This
// is a small, independent implementation of the Pulumi ResourceProvider gRPC protocol
// for the same resource tokens and property names (schema of @pulumi/random, which the
// plugin version in toolchain/versions.env matches), with Terraform random's semantics:
// every input forces replacement, values are generated once at create and kept in state.
//
// Implemented: RandomPassword, RandomString, RandomId, RandomInteger, RandomUuid,
// RandomUuid4, RandomUuid7, RandomBytes, RandomShuffle. Not implemented: RandomPet
// (needs Terraform's word lists), import of existing values.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// providerVersion is set with -ldflags "-X main.providerVersion=<version>".
var providerVersion = "4.21.2"

func main() {
	var engineAddr string
	for _, a := range os.Args[1:] {
		if a == "-version" || a == "--version" {
			fmt.Println(providerVersion)
			return
		}
		if !strings.HasPrefix(a, "-") {
			engineAddr = a // the engine's address is the last positional argument
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if engineAddr != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddr, 5*time.Minute, cancel); err != nil {
			fatalf("could not start health check against %s: %v", engineAddr, err)
		}
	}
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, &randomProvider{})
			return nil
		},
	})
	if err != nil {
		fatalf("could not start the provider RPC server: %v", err)
	}
	fmt.Printf("%d\n", handle.Port) // the engine reads the port from stdout
	if err := <-handle.Done; err != nil {
		fatalf("provider RPC server stopped: %v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-resource-random: "+format+"\n", args...)
	os.Exit(1)
}
