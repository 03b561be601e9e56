// Bootstrap for the GraphiQL playground page. It lives in its own file so the
// page's Content-Security-Policy needs no inline script.
//
// The GraphQL endpoint comes from the data-endpoint attribute of #graphiql.
// A ?query= URL parameter pre-fills the query editor (URLSearchParams decodes
// it); while the user edits, the parameter is kept in step so the address bar
// is always a link to the current query.
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

  ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
})();
