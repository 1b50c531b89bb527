using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using LgspHub.Contracts;
using MassTransit;
using MassTransit.Serialization;

namespace LgspHub.Messaging.AsyncApi;

/// <summary>
/// The hub's integration events as an AsyncAPI 3.0 document, made from the facts the agencies run on: the contract
/// records (their schemas through MassTransit's own serializer options, so the document says what travels),
/// <see cref="HubTopology"/> (who publishes, which queues consume) and MassTransit's naming of exchanges. A system of
/// a developer's own can follow it with any AMQP client: bind a queue of its own to an event's exchange, read the
/// envelope's <c>message</c>.
/// </summary>
public static class AsyncApiDocument
{
    /// <summary>MassTransit's JSON envelope: the event is its <c>message</c>, its type names in <c>messageType</c>.</summary>
    public const string ContentType = "application/vnd.masstransit+json";

    private static readonly JsonSchemaExporterOptions Schemas = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = (context, schema) =>
            // A personal ID has its own converter (a 12-digit string), which the exporter cannot see through.
            context.TypeInfo.Type == typeof(PersonalId) ? PersonalIdSchema(nullable: false)
            : context.TypeInfo.Type == typeof(PersonalId?) ? PersonalIdSchema(nullable: true)
            : (Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type).IsEnum ? EnumSchema(context.TypeInfo.Type, schema)
            : schema,
    };

    public static JsonObject Create(string brokerHost)
    {
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();
        foreach (var (type, publisher) in HubTopology.Publishers.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
        {
            var name = type.Name;
            var exchange = ExchangeOf(type);
            messages[name] = Message(type);
            channels[name] = new JsonObject
            {
                ["address"] = exchange,
                ["title"] = name,
                ["description"] = $"The fanout exchange `{exchange}`: every queue bound to it receives each {name}.",
                ["messages"] = new JsonObject { [name] = Ref($"#/components/messages/{name}") },
                ["bindings"] = new JsonObject
                {
                    ["amqp"] = new JsonObject
                    {
                        ["is"] = "routingKey",
                        ["exchange"] = new JsonObject { ["name"] = exchange, ["type"] = "fanout", ["durable"] = true, ["autoDelete"] = false, ["vhost"] = "/" },
                        ["bindingVersion"] = "0.3.0",
                    },
                },
            };
            operations[$"{publisher}.publish.{name}"] = Operation("send", name, $"{publisher} publishes {name} (through its outbox, mandatory: held until a queue takes it).");
            foreach (var endpoint in HubTopology.Endpoints.Where(e => e.Messages.Contains(type)))
                operations[$"{endpoint.Queue}.receive.{name}"] = Operation("receive", name, $"{endpoint.Agency} consumes {name} from its durable queue `{endpoint.Queue}`, bound to the exchange.");
        }

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "LgspHub integration events",
                ["version"] = "1.0.0",
                ["description"] = "The events the agencies exchange over RabbitMQ (MassTransit 8). Each event has a durable fanout exchange named "
                    + "`LgspHub.Contracts:<Event>`; a consumer declares its own durable queue, binds it to the exchange with an empty routing key, "
                    + "and reads each delivery's JSON envelope, whose `message` is the event. Events carry personal data: a consumer needs the "
                    + "hub's authorisation, as an agency does. An event that fails every retry is also published by MassTransit as a fault "
                    + "(exchange `MassTransit:Fault--LgspHub.Contracts:<Event>--`), which civil status shows on the dossier.",
            },
            ["defaultContentType"] = ContentType,
            ["servers"] = new JsonObject
            {
                ["hub"] = new JsonObject { ["host"] = brokerHost, ["protocol"] = "amqp", ["protocolVersion"] = "0.9.1", ["description"] = "The hub's RabbitMQ broker." },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages },
        };
    }

    /// <summary>The exchange MassTransit publishes an event to: its message name, "Namespace:Type".</summary>
    public static string ExchangeOf(Type type) => MessageUrn.ForTypeString(type)["urn:message:".Length..];

    private static JsonObject Message(Type type)
    {
        var example = JsonSerializer.SerializeToNode(EventExamples.ByType[type], type, SystemTextJsonMessageSerializer.Options);
        return new JsonObject
        {
            ["name"] = type.Name,
            ["title"] = type.Name,
            ["contentType"] = ContentType,
            ["payload"] = Envelope(JsonSchemaExporter.GetJsonSchemaAsNode(SystemTextJsonMessageSerializer.Options, type, Schemas)),
            ["examples"] = new JsonArray(new JsonObject
            {
                ["name"] = type.Name,
                ["payload"] = new JsonObject
                {
                    ["messageId"] = "0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a60",
                    ["messageType"] = new JsonArray(MessageUrn.ForTypeString(type)),
                    ["sentTime"] = "2026-11-30T02:00:00Z",
                    ["message"] = example,
                },
            }),
        };
    }

    private static JsonObject Envelope(JsonNode message) => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("messageId", "messageType", "message"),
        ["properties"] = new JsonObject
        {
            ["messageId"] = new JsonObject { ["type"] = "string", ["format"] = "uuid" },
            // MassTransit writes null for what a publish leaves unset (an event has no correlation id): lgsp conform found it.
            ["correlationId"] = OrNull("string", "uuid"),
            ["conversationId"] = OrNull("string", "uuid"),
            ["sourceAddress"] = OrNull("string"),
            ["destinationAddress"] = OrNull("string"),
            ["messageType"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject { ["type"] = "string" },
                ["description"] = "The event's type first, as urn:message:LgspHub.Contracts:<Event>.",
            },
            ["sentTime"] = OrNull("string", "date-time"),
            ["headers"] = OrNull("object"),
            ["host"] = OrNull("object"),
            ["message"] = message,
        },
    };

    private static JsonObject OrNull(string type, string? format = null)
    {
        var schema = new JsonObject { ["type"] = new JsonArray(type, "null") };
        if (format is not null)
            schema["format"] = format;
        return schema;
    }

    private static JsonObject Operation(string action, string message, string description) => new()
    {
        ["action"] = action,
        ["channel"] = Ref($"#/channels/{message}"),
        ["description"] = description,
        ["messages"] = new JsonArray(Ref($"#/channels/{message}/messages/{message}")),
    };

    private static JsonObject Ref(string path) => new() { ["$ref"] = path };

    /// <summary>The values an enum travels as (numbers, or names with a string converter), and what each number means.</summary>
    private static JsonNode EnumSchema(Type declared, JsonNode schema)
    {
        if (schema is JsonObject { } node && !node.ContainsKey("enum"))
        {
            var nullable = Nullable.GetUnderlyingType(declared);
            var values = Enum.GetValues(nullable ?? declared).Cast<object>().ToList();
            var allowed = values.Select(v => (JsonNode?)Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture));
            node["enum"] = new JsonArray((nullable is null ? allowed : allowed.Append(null)).ToArray());
            node["description"] = string.Join(", ", values.Select(v => $"{Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)} = {v}"));
        }
        return schema;
    }

    private static JsonObject PersonalIdSchema(bool nullable) => new()
    {
        ["type"] = nullable ? new JsonArray("string", "null") : "string",
        ["pattern"] = "^[0-9]{12}$",
        ["description"] = "A 12-digit personal identification number.",
    };
}
