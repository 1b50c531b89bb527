using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LgspHub.Benchmarks;

/// <summary>
/// The baseline: the birth dossier's hops as bare durable work, with nothing of the hub's stack (no HTTP,
/// MassTransit, EF Core, outbox or tracing). Three agencies, each its own SQLite database (WAL, on the
/// same disk as the hub's) and broker connection; each hop consumes with manual acknowledgement, does its
/// work in one transaction, publishes the next event (persistent, awaiting its publisher confirm), then
/// acknowledges: at least once without an outbox (a hop redelivered after a crash finds its row by the
/// dossier's id, as the hub's consumers do, and publishes again). Queues and bindings follow the hub's endpoints; prefetch and concurrency are the hub's.
/// </summary>
public sealed class BareDossierPipeline : IDossierPipeline
{
    private const string Exchange = "lgsp-bench-dossiers";
    // The hub's endpoint settings (LgspHub.Messaging/HubMessaging.cs): prefetch 100, 8 messages at once.
    private const ushort Prefetch = 100;
    private const ushort Concurrency = 8;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _folder;
    private readonly Dictionary<string, Agency> _agencies = [];
    private readonly List<string> _queues = [];
    private RunTracker? _run;

    private BareDossierPipeline(string folder) => _folder = folder;

    private sealed record Declared(Guid DossierId, string ChildName, string MotherId, string Commune);
    private sealed record Verified(Guid DossierId);
    private sealed record Registered(Guid DossierId, long Number, string ChildName, string Commune);
    private sealed record IdIssued(Guid DossierId, string PersonalId, string ChildName, string Commune);
    private sealed record CardIssued(Guid DossierId, string CardNumber);

    /// <summary>One agency: its database and its connection, a channel that publishes with confirms.</summary>
    private sealed class Agency(string connectionString, IConnection connection, IChannel publisher)
    {
        public string ConnectionString => connectionString;
        public IConnection Connection => connection;
        public IChannel Publisher => publisher;
        public List<IChannel> Consumers { get; } = [];
    }

    /// <summary>The dossiers of the current run: submitted when, and which have ended.</summary>
    private sealed class RunTracker(int expected)
    {
        private readonly ConcurrentDictionary<Guid, DateTimeOffset> _submitted = new();
        private readonly ConcurrentQueue<DossierTiming> _ended = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;
        public IReadOnlyList<DossierTiming> Timings => [.. _ended];

        public void Submitted(Guid id, DateTimeOffset at) => _submitted[id] = at;

        public void Ended(Guid id, DateTimeOffset at)
        {
            // A dossier of an earlier, interrupted run is not counted.
            if (!_submitted.TryGetValue(id, out var submitted))
                return;
            _ended.Enqueue(new DossierTiming(submitted, at));
            if (_ended.Count == expected)
                _done.TrySetResult();
        }

        public void Fail(Exception e) => _done.TrySetException(e);
    }

    public static async Task<BareDossierPipeline> StartAsync(Uri broker, string folder, IEnumerable<(string PersonalId, string Commune)> mothers,
        CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var pipeline = new BareDossierPipeline(folder);
        try
        {
            await pipeline.CreateAgencyAsync(broker, "civil-status", """
                CREATE TABLE dossiers (id TEXT PRIMARY KEY, declaration TEXT NOT NULL, submitted_at TEXT NOT NULL,
                    registration INTEGER, personal_id_step TEXT, card_step TEXT, ended_at TEXT);
                CREATE TABLE registrations (number INTEGER PRIMARY KEY AUTOINCREMENT, dossier_id TEXT NOT NULL UNIQUE,
                    child_name TEXT NOT NULL, subject_personal_id TEXT, registered_at TEXT NOT NULL);
                """, cancellationToken);
            await pipeline.CreateAgencyAsync(broker, "population", """
                CREATE TABLE citizens (serial INTEGER PRIMARY KEY AUTOINCREMENT, personal_id TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL,
                    commune TEXT NOT NULL, alive INTEGER NOT NULL, birth_dossier TEXT UNIQUE);
                """, cancellationToken);
            await pipeline.CreateAgencyAsync(broker, "health-insurance", """
                CREATE TABLE cards (card_number TEXT PRIMARY KEY, personal_id TEXT NOT NULL UNIQUE, holder TEXT NOT NULL, valid_from TEXT NOT NULL);
                """, cancellationToken);
            await pipeline.SeedMothersAsync(mothers, cancellationToken);

            await pipeline.ConsumeAsync("population", "birth-declared", ["birth-declared"], pipeline.VerifyParentsAsync, cancellationToken);
            await pipeline.ConsumeAsync("civil-status", "parents-verified", ["parents-verified"], pipeline.RegisterBirthAsync, cancellationToken);
            await pipeline.ConsumeAsync("population", "birth-registered", ["birth-registered"], pipeline.IssuePersonalIdAsync, cancellationToken);
            await pipeline.ConsumeAsync("health-insurance", "personal-id-issued", ["personal-id-issued"], pipeline.IssueCardAsync, cancellationToken);
            // Civil status follows the dossier's steps on one queue, as the hub's DossierProgressConsumer does.
            await pipeline.ConsumeAsync("civil-status", "dossier-progress", ["personal-id-issued", "card-issued"], pipeline.ProgressAsync, cancellationToken);
            return pipeline;
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<DossierTiming>> RunAsync(int dossiers, int submitters, CancellationToken cancellationToken)
    {
        var run = _run = new RunTracker(dossiers);
        var mothers = await ReadMothersAsync(cancellationToken);
        var next = -1;
        async Task SubmitSome()
        {
            for (var i = Interlocked.Increment(ref next); i < dossiers; i = Interlocked.Increment(ref next))
                await SubmitAsync(run, mothers[Random.Shared.Next(mothers.Count)], cancellationToken);
        }
        await Task.WhenAll(Enumerable.Range(0, submitters).Select(_ => Task.Run(SubmitSome, cancellationToken)));
        await run.Done.WaitAsync(cancellationToken);
        return run.Timings;
    }

    /// <summary>Civil status takes the declaration: the dossier saved, then BirthDeclared published.</summary>
    private async Task SubmitAsync(RunTracker run, (string PersonalId, string Commune) mother, CancellationToken cancellationToken)
    {
        var declared = new Declared(Guid.NewGuid(), "Nguyễn Minh Khang", mother.PersonalId, mother.Commune);
        var at = DateTimeOffset.UtcNow;
        run.Submitted(declared.DossierId, at);
        var civil = _agencies["civil-status"];
        await InTransactionAsync(civil, async (connection, transaction) =>
            await ExecuteAsync(connection, transaction, "INSERT INTO dossiers (id, declaration, submitted_at) VALUES ($id, $declaration, $at)",
                ("$id", declared.DossierId.ToString()), ("$declaration", JsonSerializer.Serialize(declared, Json)), ("$at", at.ToString("O"))), cancellationToken);
        await PublishAsync(civil, "birth-declared", declared, cancellationToken);
    }

    /// <summary>Population: is the mother in the register, alive, and is the residence hers? (a read, as in the hub)</summary>
    private async Task VerifyParentsAsync(BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        var declared = JsonSerializer.Deserialize<Declared>(delivery.Body.Span, Json)!;
        var population = _agencies["population"];
        var found = await InTransactionAsync(population, (connection, transaction) =>
            ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM citizens WHERE personal_id = $id AND alive = 1 AND commune = $commune",
                ("$id", declared.MotherId), ("$commune", declared.Commune)), cancellationToken, deferred: true);
        if ((long)found! != 1)
            throw new DossierBenchException("the bare pipeline's mother is not in its register");
        await PublishAsync(population, "parents-verified", new Verified(declared.DossierId), cancellationToken);
    }

    /// <summary>Civil status registers the birth once per dossier: the registration and the dossier in one transaction.</summary>
    private async Task RegisterBirthAsync(BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        var verified = JsonSerializer.Deserialize<Verified>(delivery.Body.Span, Json)!;
        var civil = _agencies["civil-status"];
        var registered = await InTransactionAsync(civil, async (connection, transaction) =>
        {
            await using var read = Command(connection, transaction, "SELECT declaration, registration FROM dossiers WHERE id = $id",
                [("$id", verified.DossierId.ToString())]);
            await using var row = await read.ExecuteReaderAsync(cancellationToken);
            if (!await row.ReadAsync(cancellationToken))
                throw new DossierBenchException("the bare pipeline lost a dossier");
            var declared = JsonSerializer.Deserialize<Declared>(row.GetString(0), Json)!;
            // Redelivered after a crash between commit and publish: announce the registration again.
            if (!row.IsDBNull(1))
                return new Registered(verified.DossierId, row.GetInt64(1), declared.ChildName, declared.Commune);
            await row.CloseAsync();
            var number = (long)(await ScalarAsync(connection, transaction,
                "INSERT INTO registrations (dossier_id, child_name, registered_at) VALUES ($id, $name, $at) RETURNING number",
                ("$id", verified.DossierId.ToString()), ("$name", declared.ChildName), ("$at", DateTimeOffset.UtcNow.ToString("O"))))!;
            await ExecuteAsync(connection, transaction, "UPDATE dossiers SET registration = $number WHERE id = $id",
                ("$number", number), ("$id", verified.DossierId.ToString()));
            return new Registered(verified.DossierId, number, declared.ChildName, declared.Commune);
        }, cancellationToken);
        await PublishAsync(civil, "birth-registered", registered, cancellationToken);
    }

    /// <summary>Population issues the child's personal ID and residence, once per dossier.</summary>
    private async Task IssuePersonalIdAsync(BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        var registered = JsonSerializer.Deserialize<Registered>(delivery.Body.Span, Json)!;
        var population = _agencies["population"];
        var issued = await InTransactionAsync(population, async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction, "SELECT personal_id FROM citizens WHERE birth_dossier = $id",
                    ("$id", registered.DossierId.ToString())) is string existing)
                return new IdIssued(registered.DossierId, existing, registered.ChildName, registered.Commune);
            var serial = (long)(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(serial), 0) + 1 FROM citizens"))!;
            var personalId = $"049226{serial % 1_000_000:D6}";
            await ExecuteAsync(connection, transaction,
                "INSERT INTO citizens (personal_id, full_name, commune, alive, birth_dossier) VALUES ($pid, $name, $commune, 1, $id)",
                ("$pid", personalId), ("$name", registered.ChildName), ("$commune", registered.Commune), ("$id", registered.DossierId.ToString()));
            return new IdIssued(registered.DossierId, personalId, registered.ChildName, registered.Commune);
        }, cancellationToken);
        await PublishAsync(population, "personal-id-issued", issued, cancellationToken);
    }

    /// <summary>Health insurance issues the child's free card, once per person.</summary>
    private async Task IssueCardAsync(BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        var issued = JsonSerializer.Deserialize<IdIssued>(delivery.Body.Span, Json)!;
        var health = _agencies["health-insurance"];
        var cardNumber = $"TE149{issued.PersonalId[2..]}";
        await InTransactionAsync(health, async (connection, transaction) =>
        {
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM cards WHERE personal_id = $pid", ("$pid", issued.PersonalId)) is null)
                await ExecuteAsync(connection, transaction, "INSERT INTO cards (card_number, personal_id, holder, valid_from) VALUES ($card, $pid, $name, $from)",
                    ("$card", cardNumber), ("$pid", issued.PersonalId), ("$name", issued.ChildName), ("$from", DateTimeOffset.UtcNow.ToString("O")));
            return 0;
        }, cancellationToken);
        await PublishAsync(health, "card-issued", new CardIssued(issued.DossierId, cardNumber), cancellationToken);
    }

    /// <summary>Civil status records a step; the dossier completes when both the personal ID and the card are recorded.</summary>
    private async Task ProgressAsync(BasicDeliverEventArgs delivery, CancellationToken cancellationToken)
    {
        Guid id;
        string column;
        string? subject = null;
        if (delivery.RoutingKey == "personal-id-issued")
        {
            var issued = JsonSerializer.Deserialize<IdIssued>(delivery.Body.Span, Json)!;
            (id, column, subject) = (issued.DossierId, "personal_id_step", issued.PersonalId);
        }
        else
        {
            (id, column) = (JsonSerializer.Deserialize<CardIssued>(delivery.Body.Span, Json)!.DossierId, "card_step");
        }
        var now = DateTimeOffset.UtcNow;
        var completed = await InTransactionAsync(_agencies["civil-status"], async (connection, transaction) =>
        {
            // The column is one of two constants above, never input.
            await ExecuteAsync(connection, transaction, $"UPDATE dossiers SET {column} = COALESCE({column}, $now) WHERE id = $id",
                ("$now", now.ToString("O")), ("$id", id.ToString()));
            if (subject is not null)
                await ExecuteAsync(connection, transaction, "UPDATE registrations SET subject_personal_id = $pid WHERE dossier_id = $id",
                    ("$pid", subject), ("$id", id.ToString()));
            return await ExecuteAsync(connection, transaction,
                "UPDATE dossiers SET ended_at = $now WHERE id = $id AND ended_at IS NULL AND personal_id_step IS NOT NULL AND card_step IS NOT NULL",
                ("$now", now.ToString("O")), ("$id", id.ToString())) == 1;
        }, cancellationToken);
        if (completed)
            _run?.Ended(id, now);
    }

    private async Task CreateAgencyAsync(Uri broker, string name, string schema, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_folder, $"{name}.db");
        // Pooled connections and a busy wait, as EF Core's SQLite provider has them.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;");
            await ExecuteAsync(connection, null, schema);
        }
        var amqp = await new ConnectionFactory { Uri = broker, ClientProvidedName = $"lgsp-bench dossiers {name}" }.CreateConnectionAsync(cancellationToken);
        var publisher = await amqp.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await publisher.ExchangeDeclareAsync(Exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        _agencies[name] = new Agency(connectionString, amqp, publisher);
    }

    private async Task SeedMothersAsync(IEnumerable<(string PersonalId, string Commune)> mothers, CancellationToken cancellationToken)
    {
        await InTransactionAsync(_agencies["population"], async (connection, transaction) =>
        {
            foreach (var (personalId, commune) in mothers)
                await ExecuteAsync(connection, transaction, "INSERT INTO citizens (personal_id, full_name, commune, alive) VALUES ($pid, 'mother', $commune, 1)",
                    ("$pid", personalId), ("$commune", commune));
            return 0;
        }, cancellationToken);
    }

    private async Task<List<(string, string)>> ReadMothersAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_agencies["population"].ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT personal_id, commune FROM citizens WHERE birth_dossier IS NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var mothers = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
            mothers.Add((reader.GetString(0), reader.GetString(1)));
        return mothers;
    }

    private async Task ConsumeAsync(string agencyName, string queueName, string[] events, Func<BasicDeliverEventArgs, CancellationToken, Task> handle,
        CancellationToken cancellationToken)
    {
        var agency = _agencies[agencyName];
        var queue = $"{Exchange}.{agencyName}.{queueName}";
        var channel = await agency.Connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: Concurrency), cancellationToken);
        agency.Consumers.Add(channel);
        _queues.Add(queue);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueuePurgeAsync(queue, cancellationToken);   // left over from an interrupted run
        foreach (var routingKey in events)
            await channel.QueueBindAsync(queue, Exchange, routingKey, cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            try
            {
                await handle(delivery, delivery.CancellationToken);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, delivery.CancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The baseline has no retries: a failed hop stops the run with its reason.
                _run?.Fail(e);
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
    }

    private static async Task PublishAsync<T>(Agency agency, string routingKey, T message, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json", MessageId = Guid.NewGuid().ToString() };
        // Returns once the broker has confirmed the message: it is on disk in a durable queue.
        await agency.Publisher.BasicPublishAsync(Exchange, routingKey, mandatory: false, properties, JsonSerializer.SerializeToUtf8Bytes(message, Json), cancellationToken);
    }

    private static async Task<T> InTransactionAsync<T>(Agency agency, Func<SqliteConnection, SqliteTransaction, Task<T>> work,
        CancellationToken cancellationToken, bool deferred = false)
    {
        await using var connection = new SqliteConnection(agency.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE for writers (as EF Core's SaveChanges begins), a deferred read otherwise.
        await using var transaction = connection.BeginTransaction(deferred);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        // The broker is the hub's: leave nothing of the bench on it.
        if (_agencies.Values.FirstOrDefault() is { } any)
        {
            foreach (var queue in _queues)
                await any.Publisher.QueueDeleteAsync(queue);
            await any.Publisher.ExchangeDeleteAsync(Exchange);
        }
        foreach (var agency in _agencies.Values)
        {
            foreach (var channel in agency.Consumers)
                await channel.CloseAsync();
            await agency.Publisher.CloseAsync();
            await agency.Connection.CloseAsync();
            agency.Connection.Dispose();
        }
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
