"""Loads the gateway's schema the way graphql-core clients do: its default introspection query,
answered without errors and rebuilt into a schema that has the gateway's types."""

import json
import os
import sys
import urllib.request

from graphql import build_client_schema, get_introspection_query

request = urllib.request.Request(
    os.environ["GATEWAY_URL"] + "/graphql",
    data=json.dumps({"query": get_introspection_query()}).encode(),
    headers={
        "content-type": "application/json",
        "authorization": "Bearer " + os.environ["GATEWAY_TOKEN"],
    },
)
with urllib.request.urlopen(request, timeout=30) as response:
    body = json.load(response)
if body.get("errors"):
    sys.exit(json.dumps(body["errors"]))
schema = build_client_schema(body["data"])
for name in ["Query", "Mutation", "Subscription", "Site", "Task"]:
    if schema.get_type(name) is None:
        sys.exit(f"the rebuilt schema has no {name}")
print(f"graphql-core: {len(schema.type_map)} types loaded")
