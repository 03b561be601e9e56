// Bootstrap for the GraphiQL playground page. It lives in its own file so the
// page's Content-Security-Policy needs no inline script.
//
// The GraphQL endpoint comes from the data-endpoint attribute of #graphiql.
// A ?query= URL parameter pre-fills the query editor (URLSearchParams decodes
// it); while the user edits, the parameter is kept in step so the address bar
// is always a link to the current query.
//
// Subscriptions run over server-sent events with the graphql-sse protocol
// (the vendored graphql-sse client, global graphqlSse, in its "distinct
// connections" mode: one POST with Accept: text/event-stream per
// subscription), which is what the server's SSE transport speaks; GraphiQL
// shows each event in the result pane as it arrives, and its stop button
// closes the stream. Queries and mutations are plain JSON POSTs.
//
// Before GraphiQL starts, the page asks the server for its schema's query
// type. A server that refuses (introspection off, or an API key required)
// answers with an error code; GraphiQL then starts without introspection
// (no schema error or stack trace) and a notice above it says why and
// what still works.
(function () {
  'use strict';

  var container = document.getElementById('graphiql');
  var endpoint = container.getAttribute('data-endpoint') || '/graphql';
  var params = new URLSearchParams(window.location.search);

  // fetcher POSTs the GraphQL request as JSON and resolves to the decoded
  // response; a body that is not JSON is shown as text in the result pane.
  function fetcher(graphQLParams, opts) {
    var headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (opts && opts.headers) {
      Object.keys(opts.headers).forEach(function (k) {
        headers[k] = opts.headers[k];
      });
    }
    return fetch(endpoint, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(graphQLParams),
      credentials: 'same-origin',
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          return 'HTTP ' + response.status + ' ' + response.statusText + '\n\n' + text;
        }
      });
    });
  }

  // operationType is the type (query, mutation, subscription) of the
  // operation GraphiQL runs: from the document GraphiQL parsed, else from
  // the first keyword of the text (the startup probe is a query).
  function operationType(graphQLParams, opts) {
    var doc = opts && opts.documentAST;
    if (doc && doc.definitions) {
      var ops = doc.definitions.filter(function (d) {
        return d.kind === 'OperationDefinition';
      });
      var name = graphQLParams.operationName;
      var op =
        ops.length === 1
          ? ops[0]
          : ops.filter(function (d) {
              return d.name && d.name.value === name;
            })[0];
      if (op) {
        return op.operation;
      }
    }
    var text = (graphQLParams.query || '').replace(/#[^\n\r]*/g, '');
    var m = /^\s*(query|mutation|subscription)\b/.exec(text);
    return m ? m[1] : 'query';
  }

  // subscribe runs a subscription with graphql-sse and answers an async
  // iterator of its results for GraphiQL. A refusal before the stream
  // starts (401, 406, 413, ...) is shown as the server's JSON answer, as a
  // query's would be; the client does not retry, so what the server said
  // is what the pane shows.
  function subscribe(graphQLParams, userHeaders) {
    var client = graphqlSse.createClient({
      url: endpoint,
      headers: userHeaders,
      credentials: 'same-origin',
      retryAttempts: 0,
    });
    var results = client.iterate({
      query: graphQLParams.query,
      variables: graphQLParams.variables || undefined,
      operationName: graphQLParams.operationName || undefined,
    });
    var finished = false;
    function finish() {
      if (!finished) {
        finished = true;
        client.dispose();
      }
    }
    var iterator = {
      next: function () {
        if (finished) {
          return Promise.resolve({ done: true, value: undefined });
        }
        return results.next().then(
          function (r) {
            if (r.done) {
              finish();
            }
            return r;
          },
          function (err) {
            finish();
            var response = err && err.response;
            if (!response || typeof response.text !== 'function') {
              throw err;
            }
            return response.text().then(function (text) {
              var value;
              try {
                value = JSON.parse(text);
              } catch (e) {
                value = 'HTTP ' + response.status + ' ' + response.statusText + '\n\n' + text;
              }
              return { done: false, value: value };
            });
          }
        );
      },
      return: function () {
        finish();
        return results.return ? results.return() : Promise.resolve({ done: true, value: undefined });
      },
    };
    iterator[Symbol.asyncIterator] = function () {
      return iterator;
    };
    return iterator;
  }

  // graphiqlFetcher is GraphiQL's fetcher: subscriptions over SSE, the rest
  // through fetcher.
  function graphiqlFetcher(graphQLParams, opts) {
    if (operationType(graphQLParams, opts) === 'subscription') {
      return subscribe(graphQLParams, (opts && opts.headers) || {});
    }
    return fetcher(graphQLParams, opts);
  }

  function onEditQuery(query) {
    var next = new URLSearchParams(window.location.search);
    if (query) {
      next.set('query', query);
    } else {
      next.delete('query');
    }
    var search = next.toString();
    window.history.replaceState(null, '', window.location.pathname + (search ? '?' + search : '') + window.location.hash);
  }

  var props = {
    fetcher: graphiqlFetcher,
    onEditQuery: onEditQuery,
    shouldPersistHeaders: false,
  };
  if (params.has('query')) {
    props.query = params.get('query');
  }

  // notices says, for each error code of the probe, why the schema is not
  // shown and what still works.
  var notices = {
    INTROSPECTION_DISABLED:
      'This server does not answer introspection (FAREGRAPH_INTROSPECTION is off), so there are no docs or completion. Queries still run.',
    UNAUTHENTICATED:
      'This server needs an API key: add {"Authorization": "Bearer <your key>"} in the Headers pane below, then run your query. Docs and completion are not loaded without one.',
  };

  function codeOf(result) {
    var errors = result && typeof result === 'object' && result.errors;
    var ext = errors && errors[0] && errors[0].extensions;
    return (ext && ext.code) || '';
  }

  function start(notice) {
    if (notice) {
      props.schema = null;
      var p = document.createElement('p');
      p.className = 'playground-notice';
      p.setAttribute('role', 'status');
      p.textContent = notice;
      container.parentNode.insertBefore(p, container);
      document.body.classList.add('playground-with-notice');
    }
    ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
  }

  fetcher({ query: '{ __schema { queryType { name } } }' }).then(
    function (result) {
      var code = codeOf(result);
      start(code ? notices[code] || 'The server refused to describe its schema (' + code + '). Queries still run.' : '');
    },
    function () {
      start('');
    }
  );
})();
