// Checks every object of `kubectl kustomize deploy/k8s` against the Kubernetes OpenAPI schemas that the
// kubernetes-models package ships (types, required fields), with no cluster and no network:
//   cd deploy/tools/k8s-schema && npm install --no-package-lock && kubectl kustomize ../../k8s | node validate.mjs
import * as yaml from "js-yaml";
import fs from "fs";

const docs = yaml.loadAll(fs.readFileSync(0, "utf8")).filter(Boolean);
let failed = 0;
for (const doc of docs) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}/${doc.kind}` : `kubernetes-models/${version}/${doc.kind}`;
  try {
    const Model = (await import(module))[doc.kind];
    new Model(doc).validate();
    console.log(`ok   ${doc.kind}/${doc.metadata.name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${doc.kind}/${doc.metadata.name}: ${e.message}`);
  }
}
console.log(`${docs.length - failed} valid, ${failed} invalid`);
process.exit(failed ? 1 : 0);
