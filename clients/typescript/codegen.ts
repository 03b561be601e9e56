// graphql-codegen configuration: TypeScript types for faregraph's schema
// and for every operation in examples/, written to generated/graphql.ts.
// `npm run check` generates them and type-checks client.ts against them.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: '../../examples/*.graphql',
  generates: {
    'generated/graphql.ts': {
      plugins: ['typescript', 'typescript-operations'],
      config: {
        // faregraph's scalars are strings on the wire: Decimal ("129.90"),
        // Date ("2026-07-01") and DateTime (RFC 3339); JSON is an event's
        // payload, a JSON object.
        scalars: {
          Decimal: 'string',
          Date: 'string',
          DateTime: 'string',
          JSON: '{ [key: string]: unknown }',
        },
        enumsAsTypes: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        useTypeImports: true,
      },
    },
  },
  errorsOnly: true,
};

export default config;
