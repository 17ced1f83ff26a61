import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { typeTokenPrefix } from "../conventions";

export interface ModelAdapterArgs {
    /** Live status of the base service, whose pods serve the adapter. */
    baseStatus: pulumi.Input<string>;
}

/**
 * A LoRA adapter service: a service ID of its own (billing), served by its base's pods
 * (`ModelService` with `adapters`), so its status is the base's.
 */
export class ModelAdapter extends pulumi.ComponentResource {
    /** Stable ID for billing and tracking; generated once, kept while the adapter exists. */
    public readonly serviceId: pulumi.Output<string>;
    /** The base's status: the adapter serves exactly when its base does. */
    public readonly status: pulumi.Output<string>;

    constructor(name: string, args: ModelAdapterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:ModelAdapter`, name, {}, opts);
        const id = new random.RandomId(`${name}-id`, { byteLength: 6 }, { parent: this });
        this.serviceId = pulumi.interpolate`ms-${id.hex}`;
        this.status = pulumi.output(args.baseStatus);
        this.registerOutputs({ serviceId: this.serviceId, status: this.status });
    }
}
