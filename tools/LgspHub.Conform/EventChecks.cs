using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LgspHub.Contracts;
using LgspHub.Messaging;
using LgspHub.Messaging.AsyncApi;
using LgspHub.Seeding;
using LgspHub.ServiceDefaults;
using MassTransit;
using MassTransit.Serialization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace LgspHub.Conform;

/// <summary>
/// The agency's side of the AsyncAPI document: each event it must consume is published to its exchange (as its
/// publisher would, in MassTransit's envelope) and must leave the agency's queue without reaching its error queue;
/// each event it must publish must arrive on its exchange, in answer to what the probes below publish or call, with
/// an envelope and a message valid against the document's schema.
/// </summary>
public sealed class EventChecks : IAsyncDisposable
{
    private readonly ConformOptions _options;
    private readonly ConformanceReport _report;
    private readonly SystemClient _system;
    private readonly ProvinceValues _province;
    private readonly JsonObject _document;
    private readonly Schemas _schemas = new(null);
    private readonly IConnection _connection;
    private readonly IChannel _publisher;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(JsonElement Envelope, string Raw)>> _arrived = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subject> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Queue, uint ErrorsBefore)> _consumed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expected = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

    private EventChecks(ConformOptions options, ConformanceReport report, SystemClient system, ProvinceValues province, IConnection connection, IChannel publisher)
    {
        _options = options;
        _report = report;
        _system = system;
        _province = province;
        _connection = connection;
        _publisher = publisher;
        _document = AsyncApiDocument.Create(options.Broker!.Host);
    }

    private static readonly Dictionary<string, Type> Events = HubTopology.Publishers.Keys.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static async Task RunAsync(ConformOptions options, ConformanceReport report, SystemClient system, ProvinceValues province, CancellationToken cancellationToken)
    {
        IConnection connection;
        try
        {
            connection = await new ConnectionFactory { Uri = options.Broker!, ClientProvidedName = "lgsp-conform" }.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException e)
        {
            throw new ConformException($"the broker {options.Broker!.Host}:{options.Broker.Port} does not answer or refuses the credentials: {e.InnerException?.Message ?? e.Message}", e);
        }
        var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await using var checks = new EventChecks(options, report, system, province, connection, publisher);
        await checks.RunAsync(cancellationToken);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var operations = _document["operations"]!.AsObject();
        // "<agency>.publish.<Event>" (send) and "<agency>-<consumer>.receive.<Event>" (receive): the document's own names.
        foreach (var (name, operation) in operations)
        {
            var action = operation!["action"]!.GetValue<string>();
            var eventName = name[(name.LastIndexOf('.') + 1)..];
            if (action == "send" && name == $"{_options.Agency}.publish.{eventName}")
                _published.Add(eventName);
            else if (action == "receive" && name.StartsWith(_options.Agency + "-", StringComparison.Ordinal))
                _consumed[eventName] = (name[..name.IndexOf(".receive.", StringComparison.Ordinal)], 0);
        }
        foreach (var eventName in _published.Concat(_consumed.Keys).Distinct().Order(StringComparer.Ordinal))
            _subjects[eventName] = _report.Add(SubjectKinds.Event, (_published.Contains(eventName) ? "publishes " : "consumes ") + eventName);

        await using var listener = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        foreach (var eventName in _published)
            await ListenAsync(listener, eventName, cancellationToken);
        foreach (var eventName in _consumed.Keys.ToList())
            await QueueReadyAsync(eventName, cancellationToken);

        foreach (var probe in Probes())
            await probe(cancellationToken);
        // The events consumed that no probe sends: the document's example, under a dossier of the run's own.
        foreach (var eventName in _consumed.Keys.Where(e => !_sent.Contains(e)).ToList())
        {
            var example = JsonSerializer.SerializeToNode(EventExamples.ByType[Events[eventName]], Events[eventName], SystemTextJsonMessageSerializer.Options)!.AsObject();
            if (example.ContainsKey("dossierId"))
                example["dossierId"] = Guid.NewGuid();
            await PublishAsync(eventName, example, cancellationToken);
        }
        foreach (var eventName in _published.Where(e => !_expected.Contains(e)))
            _subjects[eventName].Fail("the run", "arrives", new Mismatch(null, null, $"a probe that makes {_options.Agency} publish {eventName}", "none in this tool"));
        foreach (var eventName in _consumed.Keys)
            await DrainedAsync(eventName, cancellationToken);
    }

    /// <summary>What the hub's flows ask of each agency, as the events (or calls) that make it publish.</summary>
    private IEnumerable<Func<CancellationToken, Task>> Probes()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        switch (_options.Agency)
        {
            case "land":
                yield return async ct =>
                {
                    var owner = _province.Take(c => c.Parcels.Count > 0, "an owner's death");
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new DeathRegistered(dossier, $"KT-{owner.Commune.Code}-{today.Year}-{Random.Shared.Next(900_000, 1_000_000)}", owner.PersonalId, today), ct);
                    await ExpectAsync<ParcelsFlaggedForInheritance>("a parcel owner's death registered", dossier, ct);
                };
                break;
            case "health-insurance":
                yield return async ct =>
                {
                    var born = today.AddDays(-30);
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new ChildPersonalIdIssued(dossier, ProvinceValues.Newborn(Sex.Female, born.Year), "Lê Thị Conform", born, "Thôn 1", _province.Reader.Commune.Code), ct);
                    await ExpectAsync<ChildCardIssued>("a newborn's personal ID issued", dossier, ct);
                };
                yield return async ct =>
                {
                    var born = today.AddYears(-7);
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new ChildPersonalIdIssued(dossier, ProvinceValues.Newborn(Sex.Male, born.Year), "Lê Văn Conform", born, "Thôn 1", _province.Reader.Commune.Code), ct);
                    await ExpectAsync<ChildCardNotIssued>("a personal ID issued at seven", dossier, ct);
                };
                yield return async ct =>
                {
                    var holder = _province.Take(c => c.Card is not null, "a card holder's death");
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new PermanentResidenceRemoved(dossier, holder.PersonalId, today), ct);
                    await ExpectAsync<FuneralAllowanceDecided>("a card holder's residence removed after death", dossier, ct);
                };
                break;
            case "population":
                var reference = new SeedOptions().ReferenceDate;
                var mother = _province.Take(c => c.Sex == Sex.Female && reference.Year - c.DateOfBirth.Year is >= 20 and <= 40, "a mother");
                var residence = new ResidenceAddress(mother.Commune.Code, "Thôn 1");
                yield return async ct =>
                {
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new BirthDeclared(dossier, "Trần Conform", Sex.Male, today.AddDays(-3), "Bệnh viện Đa khoa tỉnh", mother.PersonalId, null, residence), ct);
                    await ExpectAsync<BirthParentsVerified>("a birth declared by a registered mother", dossier, ct);
                };
                yield return async ct =>
                {
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new BirthDeclared(dossier, "Trần Conform", Sex.Male, today.AddDays(-3), "Bệnh viện Đa khoa tỉnh", _province.UnknownPersonalId, null, residence), ct);
                    await ExpectAsync<DossierRejected>("a birth declared by a mother not in the register", dossier, ct);
                };
                yield return async ct =>
                {
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new BirthRegistered(dossier, $"KS-{residence.CommuneCode}-{today.Year}-{Random.Shared.Next(900_000, 1_000_000)}", "Trần Conform", Sex.Male, today.AddDays(-3), mother.PersonalId, null, residence), ct);
                    await ExpectAsync<ChildPersonalIdIssued>("a birth registered", dossier, ct);
                };
                var deceased = _province.Take(c => reference.Year - c.DateOfBirth.Year >= 30, "a death");
                yield return async ct =>
                {
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new DeathDeclared(dossier, deceased.PersonalId, today, "Tại nhà"), ct);
                    await ExpectAsync<DeathDeclarationVerified>("a death declared", dossier, ct);
                };
                yield return async ct =>
                {
                    var dossier = Guid.NewGuid();
                    await PublishAsync(new DeathRegistered(dossier, $"KT-{deceased.Commune.Code}-{today.Year}-{Random.Shared.Next(900_000, 1_000_000)}", deceased.PersonalId, today), ct);
                    await ExpectAsync<PermanentResidenceRemoved>("a death registered", dossier, ct);
                };
                yield return async ct =>
                {
                    var citizen = _province.Take(_ => true, "a name corrected");
                    var answer = await _system.SendAsync(HttpMethod.Patch, $"/api/population/citizens/{citizen.PersonalId.Value}",
                        """{ "fullName": "Nguyễn Văn Conform" }""", [], cancellationToken: ct);
                    await ExpectAsync<CitizenDetailsChanged>($"a name corrected (PATCH answered {answer.StatusText})", null, ct, citizen.PersonalId.Value);
                };
                break;
            case "civil-status":
                var parent = _province.Take(c => c.Sex == Sex.Female, "a mother");
                var dying = _province.Take(_ => true, "a death");
                yield return async ct =>
                {
                    var body = new JsonObject
                    {
                        ["child"] = new JsonObject { ["fullName"] = "Phạm Conform", ["sex"] = nameof(Sex.Female), ["dateOfBirth"] = today.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["placeOfBirth"] = "Bệnh viện Đa khoa tỉnh" },
                        ["motherPersonalId"] = parent.PersonalId.Value,
                        ["residence"] = new JsonObject { ["communeCode"] = parent.Commune.Code, ["street"] = "Thôn 1" },
                    };
                    if (await SubmitAsync("birth-dossiers", body, ct) is not { } dossier)
                        return;
                    await ExpectAsync<BirthDeclared>("a birth dossier submitted", dossier, ct);
                    await PublishAsync(new BirthParentsVerified(dossier), ct);
                    await ExpectAsync<BirthRegistered>("a birth dossier's parents verified", dossier, ct);
                };
                yield return async ct =>
                {
                    var body = new JsonObject
                    {
                        ["deceasedPersonalId"] = dying.PersonalId.Value,
                        ["dateOfDeath"] = today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                        ["placeOfDeath"] = "Tại nhà",
                    };
                    if (await SubmitAsync("death-dossiers", body, ct) is not { } dossier)
                        return;
                    await ExpectAsync<DeathDeclared>("a death dossier submitted", dossier, ct);
                    await PublishAsync(new DeathDeclarationVerified(dossier, dying.FullName), ct);
                    await ExpectAsync<DeathRegistered>("a death dossier's declaration verified", dossier, ct);
                };
                break;
        }
    }

    /// <summary>Submits a dossier to civil status as the gateway forwards it; its id, or null (the failure recorded on the events it would have caused).</summary>
    private async Task<Guid?> SubmitAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        var answer = await _system.SendAsync(HttpMethod.Post, $"/api/civil-status/{path}", body.ToJsonString(), [(HubHeaders.IdempotencyKey, Guid.NewGuid().ToString())], cancellationToken: cancellationToken);
        try
        {
            if (answer.Status is >= 200 and < 300 && JsonNode.Parse(answer.Body)?["dossierId"]?.GetValue<Guid>() is { } dossier)
                return dossier;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
        }
        var expected = path.StartsWith("birth", StringComparison.Ordinal) ? nameof(BirthDeclared) : nameof(DeathDeclared);
        _expected.Add(expected);
        _subjects[expected].Fail($"POST {path}", "arrives", new Mismatch(answer.StatusText, "$.dossierId", "an accepted dossier (2xx with its dossierId) to follow", Schemas.Truncate(answer.Body)));
        return null;
    }

    private async Task ListenAsync(IChannel channel, string eventName, CancellationToken cancellationToken)
    {
        var exchange = _document["channels"]![eventName]!["address"]!.GetValue<string>();
        // Declared as the document's binding says (durable fanout): a no-op where the agencies have declared it.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken);
        var arrivals = _arrived.GetOrAdd(eventName, _ => new ConcurrentQueue<(JsonElement, string)>());
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var raw = Encoding.UTF8.GetString(delivery.Body.Span);
            try
            {
                arrivals.Enqueue((JsonDocument.Parse(raw).RootElement.Clone(), raw));
            }
            catch (JsonException)
            {
                arrivals.Enqueue((default, raw));
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken);
    }

    /// <summary>The agency's queue for an event exists and is consumed; its error queue's count is noted.</summary>
    private async Task QueueReadyAsync(string eventName, CancellationToken cancellationToken)
    {
        var (queue, _) = _consumed[eventName];
        var subject = _subjects[eventName];
        var state = await PassiveAsync(queue, cancellationToken);
        if (state is null)
            subject.Fail($"queue {queue}", "declared", new Mismatch(null, null, $"the durable queue {queue}, bound to {Exchange(eventName)}", "no such queue"));
        else
        {
            subject.Pass($"queue {queue}", "declared");
            subject.Add($"queue {queue}", "consumed", state.ConsumerCount > 0 ? [] : [new Mismatch(null, null, "a consumer on the queue", "none")]);
        }
        _consumed[eventName] = (queue, (await PassiveAsync(queue + "_error", cancellationToken))?.MessageCount ?? 0);
    }

    private async Task DrainedAsync(string eventName, CancellationToken cancellationToken)
    {
        var (queue, errorsBefore) = _consumed[eventName];
        var subject = _subjects[eventName];
        var deadline = DateTime.UtcNow + _options.EventTimeout;
        QueueDeclareOk? state;
        while ((state = await PassiveAsync(queue, cancellationToken)) is { MessageCount: > 0 } && DateTime.UtcNow < deadline)
            await Task.Delay(200, cancellationToken);
        var errors = (await PassiveAsync(queue + "_error", cancellationToken))?.MessageCount ?? 0;
        var problems = new List<Mismatch>();
        if (state is { MessageCount: > 0 })
            problems.Add(new Mismatch(null, null, $"{queue} emptied within {_options.EventTimeout.TotalSeconds:0} s", $"{state.MessageCount} waiting"));
        if (errors > errorsBefore)
            problems.Add(new Mismatch(null, null, $"nothing moved to {queue}_error", $"{errors - errorsBefore} more there"));
        subject.Add($"{eventName} published to {Exchange(eventName)}", "taken without error", problems);
    }

    private async Task<QueueDeclareOk?> PassiveAsync(string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: each gets a channel of its own.
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }

    private string Exchange(string eventName) => _document["channels"]![eventName]!["address"]!.GetValue<string>();

    private Task PublishAsync<T>(T message, CancellationToken cancellationToken) where T : class =>
        PublishAsync(typeof(T).Name, JsonSerializer.SerializeToNode(message, SystemTextJsonMessageSerializer.Options)!.AsObject(), cancellationToken);

    /// <summary>Publishes an event to its exchange in MassTransit's envelope, as its publisher does (persistent, confirmed).</summary>
    private async Task PublishAsync(string eventName, JsonObject message, CancellationToken cancellationToken)
    {
        _sent.Add(eventName);
        var envelope = new JsonObject
        {
            ["messageId"] = Guid.NewGuid(),
            ["conversationId"] = Guid.NewGuid(),
            ["sourceAddress"] = $"rabbitmq://{_options.Broker!.Host}/lgsp-conform",
            ["messageType"] = new JsonArray(MessageUrn.ForTypeString(Events[eventName])),
            ["message"] = message,
            ["sentTime"] = DateTimeOffset.UtcNow,
            ["headers"] = new JsonObject(),
        };
        var properties = new BasicProperties { ContentType = AsyncApiDocument.ContentType, DeliveryMode = DeliveryModes.Persistent, MessageId = envelope["messageId"]!.ToString() };
        await _publisher.BasicPublishAsync(Exchange(eventName), "", mandatory: false, properties, Encoding.UTF8.GetBytes(envelope.ToJsonString()), cancellationToken);
    }

    /// <summary>Waits for the event the agency must publish about this dossier (or person), and checks it against the document.</summary>
    private async Task ExpectAsync<T>(string @case, Guid? dossier, CancellationToken cancellationToken, string? personalId = null)
    {
        var eventName = typeof(T).Name;
        _expected.Add(eventName);
        var subject = _subjects[eventName];
        var arrivals = _arrived[eventName];
        var deadline = DateTime.UtcNow + _options.EventTimeout;
        (JsonElement Envelope, string Raw)? found = null;
        while (found is null)
        {
            found = arrivals.Select(a => ((JsonElement, string)?)a).FirstOrDefault(a => Matches(a!.Value.Item1, dossier, personalId));
            if (found is not null || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(100, cancellationToken);
        }
        if (found is not { } arrival)
        {
            var malformed = arrivals.Where(a => a.Envelope.ValueKind == JsonValueKind.Undefined).Select(a => a.Raw).FirstOrDefault();
            subject.Fail(@case, "arrives", new Mismatch(null, null, $"{eventName} for {(dossier is { } d ? $"dossier {d}" : $"personal ID {personalId}")} on {Exchange(eventName)} within {_options.EventTimeout.TotalSeconds:0} s",
                malformed is null ? $"none ({arrivals.Count} others)" : $"a body that is not JSON: {Schemas.Truncate(malformed)}"));
            return;
        }
        subject.Pass(@case, "arrives");
        var payload = _document["components"]!["messages"]![eventName]!["payload"]!;
        var problems = _schemas.Check(payload, arrival.Envelope, null).ToList();
        var urn = MessageUrn.ForTypeString<T>();
        if (!(arrival.Envelope.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array
              && types.GetArrayLength() > 0 && types[0].ValueKind == JsonValueKind.String && types[0].GetString() == urn))
            problems.Add(new Mismatch(null, "$.messageType[0]", urn, types.ValueKind == JsonValueKind.Undefined ? "(missing)" : Schemas.Truncate(types.GetRawText())));
        subject.Add(@case, "body as declared", problems);
    }

    private static bool Matches(JsonElement envelope, Guid? dossier, string? personalId)
    {
        if (envelope.ValueKind != JsonValueKind.Object || !envelope.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            return false;
        if (dossier is { } id)
            return message.TryGetProperty("dossierId", out var value) && value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var got) && got == id;
        return message.TryGetProperty("personalId", out var person) && person.ValueKind == JsonValueKind.String && person.GetString() == personalId;
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
