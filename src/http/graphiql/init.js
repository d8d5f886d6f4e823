// Starts GraphiQL on the gateway's own endpoints. The headers editor is kept in local storage, and
// subscriptions send the same headers (the bearer token) in `connection_init`.
(function () {
  "use strict";
  var secure = location.protocol === "https:";
  function headers() {
    try {
      return JSON.parse(localStorage.getItem("graphiql:headers") || "{}");
    } catch (e) {
      return {};
    }
  }
  var wsClient = graphqlWs.createClient({
    url: (secure ? "wss://" : "ws://") + location.host + "/graphql/ws",
    lazy: true,
    connectionParams: headers,
  });
  var fetcher = GraphiQL.createFetcher({ url: location.origin + "/graphql", wsClient: wsClient });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
    }),
  );
})();
