// Package examples holds the example GraphQL operations (checked against
// the schema by server's tests and typed by clients/typescript) and the
// results page, a plain HTML and JavaScript client of the API. Files embeds
// them so that the server can serve them next to the playground.
package examples

import "embed"

// Files are the example operations and the results page's files.
//
//go:embed *.graphql results.html results.js results.css
var Files embed.FS
