// Bootstrap for the GraphiQL playground page. It lives in its own file so the
// page's Content-Security-Policy needs no inline script.
//
// The GraphQL endpoint comes from the data-endpoint attribute of #graphiql.
// A ?query= URL parameter pre-fills the query editor (URLSearchParams decodes
// it); while the user edits, the parameter is kept in step so the address bar
// is always a link to the current query.
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
    fetcher: fetcher,
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
