using System.Diagnostics.Metrics;
using LgspHub.Contracts;
using LgspHub.Data;
using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults.Tests;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Tests;

/// <summary>The record writer on each engine: a SQLite file of one gateway's, or a PostgreSQL database the hub's gateways share.</summary>
public abstract class TransactionLogTests(Engine engine) : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-records-").FullName;
    private readonly List<ServiceProvider> _gateways = [];
    private readonly MeterListener _meters = new();
    private string _database = "";
    private long _dropped;

    public async Task InitializeAsync()
    {
        _database = engine == Engine.Sqlite
            ? $"Data Source={Path.Combine(_folder, "gateway.db")};Pooling=False"
            : await PostgresServer.NewDatabaseAsync();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "lgsp.records.dropped")
                listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _dropped, value));
        _meters.Start();
    }

    public void Dispose()
    {
        _meters.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
            await gateway.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        if (engine == Engine.Postgres)
            await PostgresServer.DropDatabaseAsync(_database);
    }

    /// <summary>One gateway's record writer on this test's database, or on <paramref name="database"/>.</summary>
    protected ServiceProvider Gateway(string? database = null)
    {
        var gateway = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton(TimeProvider.System)
            .AddDbContext<GatewayDb>(options => options.UseStore(database ?? _database))
            .AddSingleton(Options.Create(new RecordOptions { QueueCapacity = 2, MinFreeDiskMegabytes = 0 }))
            .AddSingleton<TransactionLog>()
            .BuildServiceProvider();
        _gateways.Add(gateway);
        return gateway;
    }

    [Fact]
    public async Task A_full_record_queue_drops_records_counts_them_and_makes_the_gateway_unready()
    {
        var gateway = Gateway();
        var log = gateway.GetRequiredService<TransactionLog>();

        for (var i = 0; i < 5; i++)
            log.Write(Record());

        Assert.Equal(3, Interlocked.Read(ref _dropped));
        Assert.Equal(HealthStatus.Unhealthy, (await new RecordsHealthCheck(log).CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task Audit_entries_are_committed_and_chained_before_their_append_completes()
    {
        var gateway = Gateway();
        var log = gateway.GetRequiredService<TransactionLog>();
        await log.StartAsync(default);
        try
        {
            await log.AppendAsync([Entry(), Entry()]).WaitAsync(TimeSpan.FromSeconds(30));
            await log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30));

            await using var scope = gateway.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            Assert.Equal([1L, 2L, 3L], await db.Audit.OrderBy(a => a.Sequence).Select(a => a.Sequence).ToListAsync());
            Assert.True((await AuditChain.VerifyAsync(db)).Intact);
        }
        finally
        {
            await log.StopAsync(default);
        }
    }

    [Fact]
    public async Task An_audit_entry_that_cannot_be_written_refuses_its_access_and_makes_the_gateway_unready()
    {
        var gateway = Gateway();
        var log = gateway.GetRequiredService<TransactionLog>();
        await log.StartAsync(default);
        try
        {
            await log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30));
            await using (var scope = gateway.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<GatewayDb>().Database.ExecuteSqlRawAsync("DROP TABLE \"Audit\"");

            await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30)));

            Assert.False(log.AcceptsAudit);
            Assert.Equal(HealthStatus.Unhealthy, (await new RecordsHealthCheck(log).CheckHealthAsync(new HealthCheckContext())).Status);
        }
        finally
        {
            await log.StopAsync(default);
        }
    }

    protected static TransactionRecord Record() => new()
    {
        Id = Guid.CreateVersion7(), TraceId = "", Service = "land", Operation = "land.read-parcel", Method = "GET", Outcome = Outcome.Succeeded,
        RequestInAt = DateTimeOffset.UtcNow,   // not past its retention, or the first purge takes it
    };

    protected static AuditEntry Entry() => new()
    {
        TransactionId = Guid.CreateVersion7(),
        At = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        Consumer = "hospital.bv-da-nang",
        Operation = "health-insurance.check-card",
        SubjectHash = "ab",
        Outcome = Outcome.Succeeded,
    };
}

public sealed class TransactionLogTestsOnSqlite() : TransactionLogTests(Engine.Sqlite);

public sealed class TransactionLogTestsOnPostgres() : TransactionLogTests(Engine.Postgres)
{
    [Fact]
    public async Task Gateways_sharing_the_database_append_to_one_audit_chain_and_keep_each_others_records()
    {
        var gateways = new[] { Gateway(), Gateway() };
        var logs = gateways.Select(gateway => gateway.GetRequiredService<TransactionLog>()).ToArray();
        foreach (var log in logs)
            await log.StartAsync(default);
        try
        {
            logs[0].Write(Record());
            logs[1].Write(Record());

            // Forty accesses of one to three entries each, half on each gateway, at once.
            var appends = Enumerable.Range(0, 40).Select(i => logs[i % 2].AppendAsync([.. Enumerable.Range(0, EntriesOf(i)).Select(_ => Entry())])).ToArray();
            await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(60));

            await using var scope = gateways[0].CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            var entries = Enumerable.Range(0, appends.Length).Sum(EntriesOf);
            Assert.Equal(Enumerable.Range(1, entries).Select(i => (long)i), await db.Audit.OrderBy(a => a.Sequence).Select(a => a.Sequence).ToListAsync());
            var chain = await AuditChain.VerifyAsync(db);
            Assert.True(chain.Intact, chain.Message);
            Assert.Equal(2, await db.Transactions.CountAsync());
        }
        finally
        {
            foreach (var log in logs)
                await log.StopAsync(default);
        }
    }

    [Fact]
    public async Task The_audit_refuses_while_its_server_is_down_and_takes_entries_again_once_it_is_back_in_one_unbroken_chain()
    {
        var cluster = await PostgresServer.StartClusterAsync();
        var database = await PostgresServer.NewDatabaseAsync(cluster);
        var log = Gateway(database).GetRequiredService<TransactionLog>();
        await log.StartAsync(default);
        try
        {
            await log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30));

            await cluster.StopAsync();
            await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30)));
            await cluster.StartAsync(PostgresServer.Settings);

            // The writer opens a new connection after a failed batch; the first appends may still meet a dead one.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    await log.AppendAsync([Entry(), Entry()]).WaitAsync(TimeSpan.FromSeconds(30));
                    break;
                }
                catch (AuditUnavailableException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }
            }
            await using var db = new GatewayDb(new DbContextOptionsBuilder<GatewayDb>().UseStore(database).Options);
            Assert.Equal([1L, 2L, 3L], await db.Audit.OrderBy(a => a.Sequence).Select(a => a.Sequence).ToListAsync());
            var chain = await AuditChain.VerifyAsync(db);
            Assert.True(chain.Intact, chain.Message);
        }
        finally
        {
            await log.StopAsync(default);
            await cluster.StopAsync();
        }
    }

    private static int EntriesOf(int access) => 1 + access % 3;
}
