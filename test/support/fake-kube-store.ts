/**
 * The fake API server's object store: validation, create / update / server-side apply / delete
 * with resourceVersion, generation and managed fields, and CRD establishment. The HTTP side is
 * fake-kube-api.ts, which lists what is and is not modelled.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { renderManagedFields, sameOwnership, serverSideApply, updateOwnership } from "./fake-kube-ssa.js";
import type { ManagedEntry } from "./fake-kube-ssa.js";
import { ResourceRegistry } from "./fake-kube-resources.js";
import type { FakeResource } from "./fake-kube-resources.js";
import {
  HttpError,
  isMap,
  matchesSelector,
  meta,
  validateCrd,
  validateObject,
} from "./fake-kube-validate.js";

export { HttpError, isMap, MiB, status } from "./fake-kube-validate.js";

type Obj = Record<string, unknown>;

export interface FakeAdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE";
  object: Obj;
  dryRun: boolean;
}

export interface FakeAdmissionDenial {
  status: number;
  reason: string;
  message: string;
}

interface Stored {
  object: Obj;
  managed: ManagedEntry[];
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function qualified(r: FakeResource): string {
  return r.group ? `${r.name}.${r.group}` : r.name;
}

export interface FakeObjectStoreOptions {
  crdEstablishDelayMs?: number;
  admit?: (req: FakeAdmissionRequest) => FakeAdmissionDenial | undefined;
}

export class FakeObjectStore {
  readonly registry = new ResourceRegistry();
  private readonly store = new Map<string, Stored>();
  private rv = 100;

  constructor(private readonly options: FakeObjectStoreOptions = {}) {
    for (const name of ["default", "kube-system", "kube-public"]) {
      this.put(this.registry.find("", "v1", "namespaces")!, "", name, {
        object: {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: this.newMetadata(name, ""),
          status: { phase: "Active" },
        },
        managed: [],
      });
    }
  }

  /** Stored object (a copy), by API group, plural resource, namespace ("" for cluster) and name. */
  object(group: string, plural: string, namespace: string, name: string): Obj | undefined {
    const s = this.store.get(this.key(group, plural, namespace, name));
    return s ? structuredClone(this.render(s)) : undefined;
  }

  /** Every stored object of a group/resource (copies). */
  objects(group: string, plural: string): Obj[] {
    const prefix = `${group}/${plural}/`;
    return [...this.store]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, s]) => structuredClone(this.render(s)));
  }

  private key(group: string, plural: string, namespace: string, name: string): string {
    return `${group}/${plural}/${namespace}/${name}`;
  }

  private put(r: FakeResource, namespace: string, name: string, stored: Stored): void {
    this.store.set(this.key(r.group, r.name, namespace, name), stored);
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  private newMetadata(name: string, namespace: string): Obj {
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: randomUUID(),
      resourceVersion: this.nextRv(),
      creationTimestamp: timestamp(),
    };
  }

  render(s: Stored): Obj {
    const o = structuredClone(s.object);
    const managedFields = renderManagedFields(s.managed);
    if (managedFields.length > 0) meta(o)["managedFields"] = managedFields;
    return o;
  }

  mustGet(r: FakeResource, namespace: string, name: string): Stored {
    const s = this.store.get(this.key(r.group, r.name, namespace, name));
    if (!s)
      throw new HttpError(404, "NotFound", `${qualified(r)} "${name}" not found`, {
        name,
        group: r.group,
        kind: r.name,
      });
    return s;
  }

  list(r: FakeResource, gv: string, namespace: string, selector: string | undefined): Obj {
    const prefix = `${r.group}/${r.name}/${namespace ? `${namespace}/` : ""}`;
    const items = [...this.store]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, s]) => this.render(s))
      .filter((o) => matchesSelector(o, selector));
    return { kind: `${r.kind}List`, apiVersion: gv, metadata: { resourceVersion: String(this.rv) }, items };
  }

  /** Checks identity, names, namespace existence, size limits and admission for a write. */
  private validate(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    object: Obj,
    operation: "CREATE" | "UPDATE",
    dryRun: boolean,
  ): void {
    validateObject(r, gv, namespace, name, object);
    if (r.namespaced && !this.store.has(this.key("", "namespaces", "", namespace))) {
      throw new HttpError(404, "NotFound", `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: "namespaces",
      });
    }
    if (r.kind === "CustomResourceDefinition") validateCrd(name, object);
    const denial = this.options.admit?.({ operation, object: structuredClone(object), dryRun });
    if (denial) throw new HttpError(denial.status, denial.reason, denial.message);
  }

  create(
    r: FakeResource,
    gv: string,
    namespace: string,
    object: Obj,
    query: Record<string, string>,
    dryRun: boolean,
  ): Obj {
    const name = String(meta(object)["name"] ?? "");
    this.validate(r, gv, namespace, name, object, "CREATE", dryRun);
    if (this.store.has(this.key(r.group, r.name, namespace, name))) {
      throw new HttpError(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, {
        name,
        group: r.group,
        kind: r.name,
      });
    }
    const manager = query["fieldManager"] ?? "unknown";
    const stored = this.materialise(
      r,
      gv,
      namespace,
      name,
      undefined,
      object,
      updateOwnership(undefined, [], object, manager, timestamp()),
      dryRun,
    );
    return this.render(stored);
  }

  update(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    object: Obj,
    query: Record<string, string>,
    dryRun: boolean,
  ): Obj {
    const current = this.mustGet(r, namespace, name);
    this.validate(r, gv, namespace, name, object, "UPDATE", dryRun);
    const rv = meta(object)["resourceVersion"];
    if (rv !== undefined && rv !== meta(current.object)["resourceVersion"]) {
      throw new HttpError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: r.group, kind: r.name },
      );
    }
    const manager = query["fieldManager"] ?? "unknown";
    const managed = updateOwnership(current.object, current.managed, object, manager, timestamp());
    return this.render(this.materialise(r, gv, namespace, name, current, object, managed, dryRun));
  }

  apply(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    config: Obj,
    query: Record<string, string>,
    dryRun: boolean,
  ): [number, Obj] {
    const manager = query["fieldManager"];
    if (!manager)
      throw new HttpError(400, "BadRequest", "PATCH request with apply patch type requires a fieldManager");
    if (query["force"] !== undefined && query["force"] !== "true" && query["force"] !== "false") {
      throw new HttpError(400, "BadRequest", `invalid force value ${query["force"]}`);
    }
    const current = this.store.get(this.key(r.group, r.name, namespace, name));
    this.validate(r, gv, namespace, name, config, current ? "UPDATE" : "CREATE", dryRun);
    const rv = meta(config)["resourceVersion"];
    if (rv !== undefined && (!current || rv !== meta(current.object)["resourceVersion"])) {
      throw new HttpError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const result = serverSideApply(
      current?.object,
      current?.managed ?? [],
      config,
      manager,
      query["force"] === "true",
      timestamp(),
    );
    if (result.conflicts.length > 0) {
      const causes = result.conflicts.map((c) => ({
        reason: "FieldManagerConflict",
        message: `conflict with "${c.manager}" using ${gv}`,
        field: `.${c.path.join(".")}`,
      }));
      const lines = causes.map((c) => `- ${c.message}: ${c.field}`).join("\n");
      throw new HttpError(
        409,
        "Conflict",
        `Apply failed with ${causes.length} conflict${causes.length === 1 ? "" : "s"}: ${causes.length === 1 ? `${causes[0]!.message}: ${causes[0]!.field}` : `\n${lines}`}`,
        { name, group: r.group, kind: r.name, causes },
      );
    }
    const stored = this.materialise(r, gv, namespace, name, current, result.object, result.managed, dryRun);
    return [current ? 200 : 201, this.render(stored)];
  }

  /** Builds the next stored state and persists it unless dry-run or nothing changed. */
  private materialise(
    r: FakeResource,
    gv: string,
    namespace: string,
    name: string,
    current: Stored | undefined,
    next: Obj,
    managed: ManagedEntry[],
    dryRun: boolean,
  ): Stored {
    const object = structuredClone(next);
    delete object["status"];
    const m = meta(object);
    for (const k of [
      "managedFields",
      "uid",
      "creationTimestamp",
      "generation",
      "resourceVersion",
      "deletionTimestamp",
      "selfLink",
    ])
      delete m[k];
    object["apiVersion"] = gv;
    object["kind"] = r.kind;
    m["name"] = name;
    if (namespace) m["namespace"] = namespace;
    const old = current?.object;
    const oldMeta = old ? meta(old) : undefined;
    const unchanged =
      old !== undefined &&
      isDeepStrictEqual(userPart(old), userPart(object)) &&
      sameOwnership(current!.managed, managed);
    if (unchanged) return { object: structuredClone(old), managed: current!.managed };
    const specChanged = !old || !isDeepStrictEqual(specPart(old), specPart(object));
    Object.assign(m, {
      uid: oldMeta?.["uid"] ?? randomUUID(),
      creationTimestamp: oldMeta?.["creationTimestamp"] ?? timestamp(),
      resourceVersion: dryRun ? (oldMeta?.["resourceVersion"] ?? "") : this.nextRv(),
    });
    if ("spec" in object || oldMeta?.["generation"] !== undefined) {
      const gen = typeof oldMeta?.["generation"] === "number" ? oldMeta["generation"] : 0;
      m["generation"] = specChanged ? gen + 1 : gen;
    }
    if (old?.["status"] !== undefined) object["status"] = structuredClone(old["status"]);
    if (r.kind === "Namespace") object["status"] = { phase: "Active" };
    if (r.kind === "CustomResourceDefinition" && !isMap(object["status"]))
      object["status"] = crdStatus(false);
    const stored = { object, managed };
    if (!dryRun) {
      this.put(r, namespace, name, stored);
      if (r.kind === "CustomResourceDefinition") this.establishLater(name);
    }
    return stored;
  }

  private establishLater(name: string): void {
    const establish = () => {
      const s = this.store.get(this.key("apiextensions.k8s.io", "customresourcedefinitions", "", name));
      if (!s) return;
      s.object["status"] = crdStatus(true);
      meta(s.object)["resourceVersion"] = this.nextRv();
      this.registry.serveCrd(name, s.object["spec"] as Obj);
    };
    if (this.options.crdEstablishDelayMs) setTimeout(establish, this.options.crdEstablishDelayMs).unref();
    else establish();
  }

  delete(r: FakeResource, namespace: string, name: string, dryRun: boolean): Obj {
    const s = this.mustGet(r, namespace, name);
    const denial = this.options.admit?.({ operation: "DELETE", object: structuredClone(s.object), dryRun });
    if (denial) throw new HttpError(denial.status, denial.reason, denial.message);
    if (!dryRun) {
      this.store.delete(this.key(r.group, r.name, namespace, name));
      if (r.kind === "Namespace") {
        for (const k of [...this.store.keys()]) if (k.split("/")[2] === name) this.store.delete(k);
      }
      if (r.kind === "CustomResourceDefinition") {
        const spec = s.object["spec"] as Obj;
        const plural = String((spec["names"] as Obj)["plural"]);
        for (const k of [...this.store.keys()])
          if (k.startsWith(`${String(spec["group"])}/${plural}/`)) this.store.delete(k);
        this.registry.removeCrd(name);
      }
    }
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, group: r.group, kind: r.name, uid: meta(s.object)["uid"] },
    };
  }
}

/** The object without server-managed metadata (what a no-op write leaves equal). */
function userPart(o: Obj): Obj {
  const copy = structuredClone(o);
  delete copy["status"];
  const m = meta(copy);
  for (const k of ["managedFields", "uid", "creationTimestamp", "generation", "resourceVersion"]) delete m[k];
  return copy;
}

function specPart(o: Obj): Obj {
  const copy = userPart(o);
  delete copy["metadata"];
  return copy;
}

function crdStatus(established: boolean): Obj {
  const now = timestamp();
  return {
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        reason: "NoConflicts",
        message: "no conflicts found",
        lastTransitionTime: now,
      },
      established
        ? {
            type: "Established",
            status: "True",
            reason: "InitialNamesAccepted",
            message: "the initial names have been accepted",
            lastTransitionTime: now,
          }
        : {
            type: "Established",
            status: "False",
            reason: "Installing",
            message: "the initial names have been accepted",
            lastTransitionTime: now,
          },
    ],
  };
}
