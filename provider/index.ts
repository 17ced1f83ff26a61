import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { ApiGateway, GpuNodeGroup, KeyStore, ModelService } from "model-services";

// The components other languages get from `pulumi package add`. They come from the packed
// npm package (its .d.ts files carry the TSDoc), and @pulumi/pulumi's component provider
// host infers the package schema from their Args interfaces. The package is named here, not
// by package.json (npm refuses a package that depends on its own name): it must be
// `model-services`, the prefix of the components' type tokens. ModelPlatform is left out:
// its one arg is a whole plan object, the TypeScript path from stack config.
componentProviderHost({ name: "model-services", components: [ApiGateway, GpuNodeGroup, KeyStore, ModelService], dirname: __dirname });
