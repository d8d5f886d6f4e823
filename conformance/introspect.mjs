// Loads the gateway's schema the way graphql-js clients do: the standard introspection query with
// every option on, answered without errors and rebuilt into a schema that has the gateway's types.
import { buildClientSchema, getIntrospectionQuery } from "graphql";

const url = `${process.env.GATEWAY_URL}/graphql`;
const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
const response = await fetch(url, {
  method: "POST",
  headers: {
    "content-type": "application/json",
    authorization: `Bearer ${process.env.GATEWAY_TOKEN}`,
  },
  body: JSON.stringify({ query }),
});
const body = await response.json();
if (body.errors) {
  console.error(JSON.stringify(body.errors));
  process.exit(1);
}
const schema = buildClientSchema(body.data);
for (const name of ["Query", "Mutation", "Subscription", "Site", "Task"]) {
  if (!schema.getType(name)) {
    console.error(`the rebuilt schema has no ${name}`);
    process.exit(1);
  }
}
console.log(`graphql-js: ${Object.keys(schema.getTypeMap()).length} types loaded`);
