using LgspHub.Contracts;
using LgspHub.ServiceDefaults.Outbox;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>Two instances of an agency on one database: one publishes its outbox at a time, and the other takes over.</summary>
public sealed class OutboxLeaseTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-lease-").FullName;
    private string Connection => $"Data Source={Path.Combine(_folder, "agency.db")};Pooling=false";

    public sealed class SharedDb(DbContextOptions<SharedDb> options) : AgencyDbContext(options);

    public async Task InitializeAsync()
    {
        await using var db = NewDb();
        await db.EnsureSqliteSchemaAsync(NullLogger.Instance);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Only_the_lease_holder_publishes_and_in_order()
    {
        using var first = await StartInstanceAsync(TimeProvider.System);
        await WaitForAsync(async () => await HolderAsync() is not null, "the first instance to take the lease");
        using var second = await StartInstanceAsync(TimeProvider.System);

        await WriteAsync(30);
        await WaitForAsync(async () => await UnsentAsync() == 0, "every message published");

        var published = Names(first);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"citizen {i}"), published);
        Assert.Empty(Names(second));
    }

    [Fact]
    public async Task Another_instance_takes_over_once_the_holders_lease_runs_out()
    {
        var holder = await StartInstanceAsync(TimeProvider.System);
        await WaitForAsync(async () => await HolderAsync() is not null, "the first instance to take the lease");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var successor = await StartInstanceAsync(clock);
        await holder.Host.StopAsync();
        holder.Dispose();

        await WriteAsync(5);
        Assert.Equal(5, await UnsentAsync());   // still leased to the stopped instance
        clock.Advance(OutboxDispatcher<SharedDb>.LeaseTime + TimeSpan.FromMinutes(1));
        await WaitForAsync(async () => await UnsentAsync() == 0, "the successor to publish");

        Assert.Equal(5, Names(successor).Count);
    }

    private SharedDb NewDb() => new(new DbContextOptionsBuilder<SharedDb>().UseSqlite(Connection).Options);

    private async Task WriteAsync(int count)
    {
        await using var db = NewDb();
        for (var i = 0; i < count; i++)
            db.PublishOnCommit(new CitizenDetailsChanged(PersonalId.Parse("049190000001", null), $"citizen {i}", new DateOnly(1990, 1, 1), Sex.Male, "", DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
    }

    private async Task<int> UnsentAsync()
    {
        await using var db = NewDb();
        return await db.Outbox.CountAsync(m => m.SentAt == null);
    }

    private async Task<string?> HolderAsync()
    {
        await using var db = NewDb();
        return (await db.OutboxLeases.SingleOrDefaultAsync())?.Holder;
    }

    private static List<string> Names(Instance instance) =>
        instance.Harness.Published.Select<CitizenDetailsChanged>().Select(m => m.Context.Message.FullName).ToList();

    private async Task<Instance> StartInstanceAsync(TimeProvider clock)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddDbContext<SharedDb>(options => options.UseSqlite(Connection));
        builder.Services.AddMassTransitTestHarness();
        builder.Services.AddHostedService<OutboxDispatcher<SharedDb>>();
        var host = builder.Build();
        await host.StartAsync();
        return new Instance(host, host.Services.GetTestHarness());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            Assert.False(deadline.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private sealed record Instance(IHost Host, ITestHarness Harness) : IDisposable
    {
        public void Dispose() => Host.Dispose();
    }
}
