using System.Diagnostics.Metrics;
using LgspHub.Contracts;
using LgspHub.Gateway.Transactions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Tests;

public sealed class TransactionLogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-records-").FullName;
    private readonly ServiceProvider _services;
    private readonly MeterListener _meters = new();
    private long _dropped;

    public TransactionLogTests()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton(TimeProvider.System)
            .AddDbContext<GatewayDb>(options => options.UseSqlite($"Data Source={Path.Combine(_folder, "gateway.db")};Pooling=False"))
            .AddSingleton(Options.Create(new RecordOptions { QueueCapacity = 2, MinFreeDiskMegabytes = 0 }))
            .AddSingleton<TransactionLog>()
            .BuildServiceProvider();
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
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_full_record_queue_drops_records_counts_them_and_makes_the_gateway_unready()
    {
        var log = _services.GetRequiredService<TransactionLog>();

        for (var i = 0; i < 5; i++)
            log.Write(Record());

        Assert.Equal(3, Interlocked.Read(ref _dropped));
        Assert.Equal(HealthStatus.Unhealthy, (await new RecordsHealthCheck(log).CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task Audit_entries_are_committed_and_chained_before_their_append_completes()
    {
        var log = _services.GetRequiredService<TransactionLog>();
        await log.StartAsync(default);
        try
        {
            await log.AppendAsync([Entry(), Entry()]).WaitAsync(TimeSpan.FromSeconds(30));
            await log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30));

            await using var scope = _services.CreateAsyncScope();
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
        var log = _services.GetRequiredService<TransactionLog>();
        await log.StartAsync(default);
        try
        {
            await log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30));
            await using (var scope = _services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<GatewayDb>().Database.ExecuteSqlRawAsync("DROP TABLE Audit");

            await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync([Entry()]).WaitAsync(TimeSpan.FromSeconds(30)));

            Assert.False(log.AcceptsAudit);
            Assert.Equal(HealthStatus.Unhealthy, (await new RecordsHealthCheck(log).CheckHealthAsync(new HealthCheckContext())).Status);
        }
        finally
        {
            await log.StopAsync(default);
        }
    }

    private static TransactionRecord Record() => new()
    {
        Id = Guid.CreateVersion7(), TraceId = "", Service = "land", Operation = "land.read-parcel", Method = "GET", Outcome = Outcome.Succeeded,
    };

    private static AuditEntry Entry() => new()
    {
        TransactionId = Guid.CreateVersion7(),
        At = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        Consumer = "hospital.bv-da-nang",
        Operation = "health-insurance.check-card",
        SubjectHash = "ab",
        Outcome = Outcome.Succeeded,
    };
}
