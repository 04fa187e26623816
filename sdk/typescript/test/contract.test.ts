/**
 * Contract: the SDK's wire declarations (`src/wire.ts`, read with the TypeScript compiler)
 * against the OpenAPI document (`docs/openapi.json`). Every schema has its declaration: an
 * object's with the same fields, each as required and nullable as the schema says and of a
 * compatible type; an enumeration's with exactly its values (a string field without an enum is
 * held to the values its description names, if it names any). Every endpoint and query parameter
 * the SDK uses exists. A drift on either side fails.
 */

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import ts from "typescript";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "..");
const doc = JSON.parse(readFileSync(join(sdk, "../../docs/openapi.json"), "utf8")) as OpenApi;

/** The declaration in `src/wire.ts` of each schema. */
const DECLARED: Record<string, string> = {
  ErrorCode: "ErrorCode",
  EventKind: "EventKind",
  EvidenceKind: "EvidenceKind",
  Origin: "Origin",
  Operation: "Operation",
  PollState: "PollState",
  ProposalStatus: "ProposalStatus",
  Sensitivity: "Sensitivity",
  BeliefOut: "Belief",
  BeliefsOut: "BeliefPage",
  CheckpointOut: "SignedCheckpoint",
  ConsentOut: "Consent",
  EventOut: "Event",
  EventsOut: "Events",
  EvidenceIn: "EvidenceIn",
  EvidenceOut: "Evidence",
  GrantOut: "Grant",
  GrantRequestIn: "GrantRequestIn",
  GrantRequestOut: "GrantRequestOut",
  PollIn: "PollIn",
  PollOut: "PollOut",
  Problem: "ProblemOut",
  ProblemBody: "ProblemBody",
  ProofIn: "ProofIn",
  ProofOut: "ProofOut",
  ProposalIn: "ProposalIn",
  ProposalOut: "ProposalOut",
  VendorInfo: "VendorInfo",
};

interface Schema {
  type?: string | string[];
  $ref?: string;
  oneOf?: Schema[];
  items?: Schema;
  enum?: unknown[];
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
}

interface OpenApi {
  components: { schemas: Record<string, Schema> };
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string; required?: boolean; schema: Schema }[] }>
  >;
}

/** A type reduced to what the contract compares. */
type Shape =
  | { kind: "string"; values?: Set<string> }
  | { kind: "number" | "boolean" | "unknown"; text?: string }
  | { kind: "array"; items: Shape }
  | { kind: "object"; name: string };

interface Typed {
  shape: Shape;
  nullable: boolean;
}

/** The values a schema allows for a string: its enum, or else the `names` its description quotes. */
function named(s: Schema, description: string | undefined): Set<string> | undefined {
  if (s.enum) return new Set(s.enum.map(String));
  const quoted = [...(description ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return quoted.length > 0 ? new Set(quoted) : undefined;
}

function fromSchema(s: Schema, description = s.description): Typed {
  if (s.$ref) {
    const name = s.$ref.replace("#/components/schemas/", "");
    const target = doc.components.schemas[name];
    if (target?.type === "string") return fromSchema(target, description ?? target.description);
    return { shape: { kind: "object", name }, nullable: false };
  }
  if (s.oneOf) {
    const rest = s.oneOf.filter((o) => o.type !== "null");
    assert.equal(rest.length, 1, `a oneOf of one type and null: ${JSON.stringify(s)}`);
    return { shape: fromSchema(rest[0]!, description).shape, nullable: rest.length < s.oneOf.length };
  }
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const nullable = types.includes("null");
  const [type] = types.filter((x) => x !== "null");
  switch (type) {
    case "string": {
      const values = named(s, description);
      return { shape: values ? { kind: "string", values } : { kind: "string" }, nullable };
    }
    case "integer":
    case "number":
      return { shape: { kind: "number" }, nullable };
    case "boolean":
      return { shape: { kind: "boolean" }, nullable };
    case "array":
      return {
        shape: { kind: "array", items: fromSchema(s.items ?? {}, s.items?.description ?? description).shape },
        nullable,
      };
    default:
      return { shape: { kind: "unknown", text: JSON.stringify(s) }, nullable };
  }
}

const program = ts.createProgram([join(sdk, "src/wire.ts")], {
  strict: true,
  exactOptionalPropertyTypes: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();
const wire = program.getSourceFile(join(sdk, "src/wire.ts"))!;
const declarations = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
ts.forEachChild(wire, (node) => {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) declarations.set(node.name.text, node);
});

function fromType(type: ts.Type): Typed {
  let nullable = false;
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => {
    if (t.flags & ts.TypeFlags.Null) nullable = true;
    return !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined));
  });
  const [first] = parts;
  if (first && parts.every((t) => t.isStringLiteral())) {
    return {
      shape: { kind: "string", values: new Set(parts.map((t) => (t as ts.StringLiteralType).value)) },
      nullable,
    };
  }
  if (parts.length > 0 && parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral))
    return { shape: { kind: "boolean" }, nullable };
  if (parts.length === 1 && first) {
    if (first.flags & ts.TypeFlags.String) return { shape: { kind: "string" }, nullable };
    if (first.flags & ts.TypeFlags.Number) return { shape: { kind: "number" }, nullable };
    if (checker.isArrayType(first)) {
      const [item] = checker.getTypeArguments(first as ts.TypeReference);
      return { shape: { kind: "array", items: fromType(item!).shape }, nullable };
    }
    if (first.symbol && declarations.has(first.symbol.name))
      return { shape: { kind: "object", name: first.symbol.name }, nullable };
  }
  return { shape: { kind: "unknown", text: checker.typeToString(type) }, nullable };
}

/** Why a declared shape does not fit a schema's, if it does not. */
function misfit(schema: Shape, declared: Shape): string | undefined {
  const show = (x: Shape) => JSON.stringify(x, (_, v: unknown) => (v instanceof Set ? [...v] : v));
  if (schema.kind === "object" && declared.kind === "object") {
    return DECLARED[schema.name] === declared.name
      ? undefined
      : `${declared.name} is not the declaration of ${schema.name}`;
  }
  if (schema.kind === "array" && declared.kind === "array") return misfit(schema.items, declared.items);
  if (schema.kind === "string" && declared.kind === "string") {
    if (!declared.values || !schema.values) return undefined;
    const [a, b] = [[...declared.values].sort(), [...schema.values].sort()];
    return JSON.stringify(a) === JSON.stringify(b)
      ? undefined
      : `values ${JSON.stringify(a)} are not ${JSON.stringify(b)}`;
  }
  if (schema.kind === declared.kind && schema.kind !== "unknown") return undefined;
  return `${show(declared)} does not fit ${show(schema)}`;
}

/** The declared properties of an interface: type, and whether they are optional. */
function declaredProperties(name: string): Map<string, { typed: Typed; optional: boolean }> {
  const decl = declarations.get(name);
  assert.ok(decl, `src/wire.ts declares ${name}`);
  const type = checker.getTypeAtLocation(decl);
  return new Map(
    checker
      .getPropertiesOfType(type)
      .map((p) => [
        p.name,
        {
          typed: fromType(checker.getTypeOfSymbolAtLocation(p, decl)),
          optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
        },
      ]),
  );
}

/** Compares fields, requiredness, nullability and types; returns every difference found. */
function differences(
  what: string,
  schemaFields: Record<string, Schema>,
  required: Set<string>,
  declared: Map<string, { typed: Typed; optional: boolean }>,
): string[] {
  const out: string[] = [];
  for (const name of Object.keys(schemaFields)) if (!declared.has(name)) out.push(`${what}.${name} is not declared`);
  for (const name of declared.keys()) if (!(name in schemaFields)) out.push(`${what}.${name} is not in the schema`);
  for (const [name, field] of Object.entries(schemaFields)) {
    const d = declared.get(name);
    if (!d) continue;
    const s = fromSchema(field);
    if (required.has(name) === d.optional)
      out.push(`${what}.${name}: required ${required.has(name)}, declared optional ${d.optional}`);
    if (s.nullable !== d.typed.nullable)
      out.push(`${what}.${name}: nullable ${s.nullable}, declared nullable ${d.typed.nullable}`);
    const why = misfit(s.shape, d.typed.shape);
    if (why) out.push(`${what}.${name}: ${why}`);
  }
  return out;
}

/** The declared type of a type alias or interface. */
function declaredType(name: string): Typed {
  const decl = declarations.get(name);
  assert.ok(decl, `src/wire.ts declares ${name}`);
  return fromType(checker.getTypeAtLocation(decl));
}

test("every schema of the OpenAPI document is declared in src/wire.ts, field for field", () => {
  const found = Object.entries(doc.components.schemas).flatMap(([name, schema]) => {
    const declared = DECLARED[name];
    if (!declared) return [`${name} has no declaration`];
    if (schema.type === "string") {
      const why = misfit(fromSchema(schema).shape, declaredType(declared).shape);
      return why ? [`${name}: ${why}`] : [];
    }
    return differences(name, schema.properties ?? {}, new Set(schema.required ?? []), declaredProperties(declared));
  });
  assert.deepEqual(found, []);
});

test("the contract test notices a drift", () => {
  const belief = doc.components.schemas.BeliefOut!;
  const declared = declaredProperties("Belief");
  const drifted = (change: (s: Record<string, Schema>) => void, required = belief.required ?? []) => {
    const fields = structuredClone(belief.properties ?? {});
    change(fields);
    return differences("BeliefOut", fields, new Set(required), declared).length > 0;
  };
  assert.ok(!drifted(() => {}), "no drift, no difference");
  assert.ok(
    drifted((f) => (f.provenance = { type: "string" })),
    "a new field",
  );
  assert.ok(
    drifted((f) => delete f.statement),
    "a removed field",
  );
  assert.ok(
    drifted((f) => (f.confidence = { type: "string" })),
    "another type",
  );
  assert.ok(
    drifted((f) => (f.sensitivity = { type: "string", enum: ["normal", "special", "secret"] })),
    "another enum",
  );
  assert.ok(
    drifted((f) => (f.statement = { type: ["string", "null"] })),
    "now nullable",
  );
  assert.ok(
    drifted(() => {}, [...(belief.required ?? []), "evidence"]),
    "now required",
  );
  // What the schemas will gain and the wire keeps: enums, ranges, formats.
  assert.ok(!drifted((f) => (f.sensitivity = { type: "string", enum: ["normal", "special"] })));
  assert.ok(!drifted((f) => (f.confidence = { type: "number", format: "double", minimum: 0, maximum: 1 } as Schema)));
  assert.ok(!drifted((f) => (f.id = { type: "string", format: "uuid" } as Schema)));
});

/** The (method, path) pairs the SDK's sources call, with their path parameters as `{name}`. */
function calledEndpoints(): [string, string][] {
  const sources = ["src", "src/node", "src/browser"].flatMap((dir) =>
    readdirSync(join(sdk, dir))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(sdk, dir, f), "utf8")),
  );
  const calls = sources.flatMap((text) =>
    [...text.matchAll(/method: "(GET|POST|DELETE)",\s*path: [`"]([^`"]+)[`"]/g)].map((m): [string, string] => [
      m[1]!.toLowerCase(),
      m[2]!.replace(/\$\{encodeSegment\((\w+)\)\}/g, "{$1}"),
    ]),
  );
  return calls;
}

test("every endpoint and query parameter the SDK uses is in the document", () => {
  const calls = calledEndpoints();
  assert.ok(calls.length >= 10, JSON.stringify(calls));
  for (const [method, path] of calls) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);

  const params = (path: string) => {
    const list = (doc.paths[path]?.get?.parameters ?? []).filter((p) => p.in === "query");
    return {
      fields: Object.fromEntries(list.map((p) => [p.name, p.schema])),
      required: new Set(list.filter((p) => p.required).map((p) => p.name)),
    };
  };
  const beliefs = params("/v1/beliefs");
  assert.deepEqual(
    differences("GET /v1/beliefs", beliefs.fields, beliefs.required, declaredProperties("BeliefQuery")),
    [],
  );
  assert.deepEqual(Object.keys(params("/v1/events").fields).sort(), ["after", "wait"]);
  assert.deepEqual(Object.keys(params("/v1/beliefs/{id}").fields), ["purpose"]);
  assert.deepEqual(Object.keys(params("/v1/checkpoint").fields), ["seq"]);
});
