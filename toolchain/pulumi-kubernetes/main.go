// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider.
//
// The module zip of the provider does not contain the embedded schema files its own
// main package needs (they are produced by go:generate upstream), so this wrapper is
// the entry point instead: scripts/toolchain.sh copies schema.json and
// terraform-mapping.json out of the module cache, stamps the plugin version into the
// schema with gen_embed.go and then builds this package.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
