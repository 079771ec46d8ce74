/**
 * @module roles/ingress/lazy-compilers
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), run on
 * a route's first request instead of at start-up. The API has some forty routes with schemas;
 * compiling them all before listening was about a tenth of the main thread's start-up, for
 * routes most runs never call. A schema that does not compile is a bug caught by the tests
 * that call its route (its first request answers 500).
 */
import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type Validators = ReturnType<typeof AjvCompiler>;
type Serializers = ReturnType<typeof SerializerSelector>;
type ValidatorCompiler = ReturnType<Validators>;
type SerializerCompiler = ReturnType<Serializers>;
type Validate = ReturnType<ValidatorCompiler>;

export function lazyCompilers(): { buildValidator: Validators; buildSerializer: Serializers } {
  const validators = AjvCompiler();
  const serializers = SerializerSelector();
  const buildValidator: Validators = (external, options) => {
    // The compiler itself (an Ajv instance with the server's options) is made when first needed.
    let compiler: ValidatorCompiler | undefined;
    return (route) => {
      let compiled: Validate | undefined;
      const validate = (data: unknown): unknown => {
        compiled ??= (compiler ??= validators(external, options))(route);
        const result = compiled(data);
        // Fastify reads a failed validation's reasons from the function it was given.
        validate.errors = compiled.errors;
        return result;
      };
      validate.errors = null as Validate['errors'];
      // Fastify only calls it and reads `errors`; Ajv's other fields are not used.
      return validate as unknown as Validate;
    };
  };
  const buildSerializer: Serializers = (external, options) => {
    let compiler: SerializerCompiler | undefined;
    return (route) => {
      let compiled: ReturnType<SerializerCompiler> | undefined;
      return (doc) => (compiled ??= (compiler ??= serializers(external, options))(route))(doc);
    };
  };
  return { buildValidator, buildSerializer };
}
