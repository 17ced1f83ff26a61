import { findGpuInstanceType, GpuInstanceType } from "../../components/catalog/gpuInstances";
import { ResolvedModel, resolveModel } from "../../components/plan/footprint";

/** A catalog model, resolved as the planner does; throws for an id outside the catalog. */
export function model(id: string): ResolvedModel {
    const m = resolveModel(id);
    if (!m) {
        throw new Error(`${id} is not in the catalog`);
    }
    return m;
}

/** A catalog GPU instance type; throws for a name outside the catalog. */
export function type(name: string): GpuInstanceType {
    const t = findGpuInstanceType(name);
    if (!t) {
        throw new Error(`${name} is not in the catalog`);
    }
    return t;
}
