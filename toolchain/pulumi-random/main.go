// Command pulumi-resource-random is this project's own build of the Pulumi "random"
// resource provider plugin, for the @pulumi/random npm SDK (4.21.2) the program uses.
//
// Upstream's provider (github.com/pulumi/pulumi-random/provider/v4, a Terraform bridge
// of terraform-provider-random) is not served by the Go module proxy, and neither is
// terraform-provider-random, so the toolchain cannot build it. This is an independent
// implementation of the ResourceProvider gRPC protocol for the same resource tokens,
// property names, defaults and replacement semantics. See README.md.
//
// The engine starts it as `pulumi-resource-random ENGINE_ADDRESS`; provider.Main
// prints the port it listens on and serves until the engine goes away.
// `pulumi-resource-random -version` prints the plugin version and exits.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// The plugin version reported to the engine must equal the @pulumi/random version
// (4.21.2). The build sets it with -ldflags "-X main.providerVersion=4.21.2" (what
// scripts/toolchain.sh does); "-X main.version=4.21.2" works too.
var (
	providerVersion string
	version         string
)

// pluginVersion is the version the build set, or a visibly unreleased one.
func pluginVersion() string {
	switch {
	case providerVersion != "":
		return providerVersion
	case version != "":
		return version
	}
	return "0.0.0-dev"
}

func main() {
	for _, a := range os.Args[1:] {
		if a == "-version" || a == "--version" {
			fmt.Println(pluginVersion())
			return
		}
	}
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newProvider(pluginVersion()), nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-random: %v\n", err)
		os.Exit(1)
	}
}
