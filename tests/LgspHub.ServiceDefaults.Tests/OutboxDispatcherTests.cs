using LgspHub.Contracts;
using LgspHub.Data;
using LgspHub.LocalHub;
using LgspHub.Messaging.Outbox;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>
/// The outbox dispatcher: a batch published together, only confirmed messages marked sent, failed or unconfirmed ones
/// sent in a later pass; and two instances of an agency on one database, one publishing at a time.
/// </summary>
public abstract class OutboxDispatcherTests(Engine engine, Lazy<Task<PostgresCluster>>? server = null) : IAsyncLifetime
{
    private readonly TestAgencyDatabase _database = new(engine, server);

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Only_the_lease_holder_publishes_each_message_once()
    {
        using var first = await StartInstanceAsync(TimeProvider.System);
        await WaitForAsync(async () => await HolderAsync() is not null, "the first instance to take the lease");
        using var second = await StartInstanceAsync(TimeProvider.System);

        await WriteAsync(30);
        await WaitForAsync(async () => await UnsentAsync() == 0, "every message published");

        // A batch's publishes go out together, so the order on the wire is not promised.
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"citizen {i}").Order(), Names(first).Order());
        Assert.Empty(Names(second));
    }

    [Fact]
    public async Task A_publish_that_fails_stays_pending_while_the_rest_of_its_batch_is_marked_sent_and_goes_out_later()
    {
        var brokerRefuses = true;
        using var instance = await StartInstanceAsync(TimeProvider.System, name => Volatile.Read(ref brokerRefuses) && name == "citizen 3");

        await WriteAsync(10);
        await WaitForAsync(async () => await UnsentAsync() == 1, "every message but the refused one marked sent");
        Assert.Contains("citizen 3", Assert.Single(await UnsentBodiesAsync()));
        Assert.DoesNotContain("citizen 3", Names(instance));
        Assert.Equal(9, Names(instance).Count);

        Volatile.Write(ref brokerRefuses, false);
        await WaitForAsync(async () => await UnsentAsync() == 0, "the refused message to be sent on a later pass");
        // Nothing lost, nothing published twice, and the refused one went out after the rest of its batch.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"citizen {i}").Order(), Names(instance).Order());
        Assert.Equal("citizen 3", Names(instance)[^1]);
    }

    /// <summary>
    /// After a broker restart RabbitMQ.Client can leave a publish waiting for a confirm that never comes
    /// (rabbitmq/rabbitmq-dotnet-client#1930). That publish must not stop the agency's events: it is given up after
    /// <see cref="Messaging.PublisherConfirms.Timeout"/>, stays pending, and goes out on a later pass.
    /// </summary>
    [Fact]
    public async Task A_publish_whose_confirm_never_comes_is_given_up_in_time_and_goes_out_on_a_later_pass()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hung = 0;
        using var instance = await StartInstanceAsync(clock, hang: name => name == "citizen 3" && Interlocked.Exchange(ref hung, 1) == 0);

        await WriteAsync(5);
        await WaitForAsync(async () => Volatile.Read(ref hung) == 1 && await UnsentAsync() == 5, "the batch to wait on the confirm of citizen 3");
        await WaitForAsync(async () =>
        {
            // Time passes for the confirm and the dispatcher's back-off, never for the test's own deadline.
            clock.Advance(TimeSpan.FromSeconds(1));
            return await UnsentAsync() == 0;
        }, "every message sent once citizen 3's publish was given up");

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"citizen {i}").Order(), Names(instance).Order());
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
        clock.Advance(OutboxDispatcher<TestAgencyDatabase.Db>.LeaseTime + TimeSpan.FromMinutes(1));
        await WaitForAsync(async () => await UnsentAsync() == 0, "the successor to publish");

        Assert.Equal(5, Names(successor).Count);
    }

    protected async Task WriteAsync(int count)
    {
        await using var db = _database.Open();
        for (var i = 0; i < count; i++)
            db.PublishOnCommit(new CitizenDetailsChanged(PersonalId.Parse("049190000001", null), $"citizen {i}", new DateOnly(1990, 1, 1), Sex.Male, "", DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
    }

    protected async Task<int> UnsentAsync()
    {
        await using var db = _database.Open();
        return await db.Outbox.CountAsync(m => m.SentAt == null);
    }

    private async Task<List<string>> UnsentBodiesAsync()
    {
        await using var db = _database.Open();
        return await db.Outbox.Where(m => m.SentAt == null).Select(m => m.Body).ToListAsync();
    }

    private async Task<string?> HolderAsync()
    {
        await using var db = _database.Open();
        return (await db.OutboxLeases.SingleOrDefaultAsync())?.Holder;
    }

    /// <summary>The names of the messages the broker took, in the order it took them (a refused publish is not one).</summary>
    protected static List<string> Names(Instance instance) =>
        instance.Harness.Published.Select<CitizenDetailsChanged>().Where(m => m.Exception is null).Select(m => m.Context.Message.FullName).ToList();

    /// <param name="refuse">Which messages (by name) the bus refuses to publish, as a broker that does not confirm them.</param>
    /// <param name="hang">Which publishes (by name) wait for a confirm until they are cancelled.</param>
    protected async Task<Instance> StartInstanceAsync(TimeProvider clock, Func<string, bool>? refuse = null, Func<string, bool>? hang = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddDbContext<TestAgencyDatabase.Db>(options => options.UseStore(_database.Connection));
        builder.Services.AddMassTransitTestHarness(bus => bus.UsingInMemory((context, cfg) =>
        {
            cfg.ConfigurePublish(publish => publish.UseExecuteAsync(async sending =>
            {
                if (sending is not PublishContext<CitizenDetailsChanged> changed)
                    return;
                if (refuse?.Invoke(changed.Message.FullName) == true)
                    throw new InvalidOperationException("the broker did not confirm the message");
                if (hang?.Invoke(changed.Message.FullName) == true)
                    await Task.Delay(Timeout.Infinite, sending.CancellationToken);
            }));
            cfg.ConfigureEndpoints(context);
        }));
        builder.Services.AddHostedService<OutboxDispatcher<TestAgencyDatabase.Db>>();
        var host = builder.Build();
        await host.StartAsync();
        return new Instance(host, host.Services.GetTestHarness());
    }

    /// <param name="whileTheServerRestarts">A database error counts as not yet, not as a failure: the server is coming back.</param>
    protected static async Task WaitForAsync(Func<Task<bool>> condition, string what, bool whileTheServerRestarts = false)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await Holds())
        {
            Assert.False(deadline.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(50, CancellationToken.None);
        }

        async Task<bool> Holds()
        {
            try
            {
                return await condition();
            }
            // (Npgsql's EF provider calls a broken connection "likely a transient failure", wrapping the error.)
            catch (Exception e) when (whileTheServerRestarts && e is System.Data.Common.DbException or DbUpdateException or InvalidOperationException { InnerException: DbUpdateException })
            {
                return false;
            }
        }
    }

    protected sealed record Instance(IHost Host, ITestHarness Harness) : IDisposable
    {
        public void Dispose() => Host.Dispose();
    }
}

public sealed class OutboxDispatcherTestsOnSqlite() : OutboxDispatcherTests(Engine.Sqlite);

public sealed class OutboxDispatcherTestsOnPostgres() : OutboxDispatcherTests(Engine.Postgres, Server)
{
    /// <summary>A server of this class's own, which one of its tests restarts (a class's tests run one at a time).</summary>
    private static readonly Lazy<Task<PostgresCluster>> Server = new(PostgresServer.StartClusterAsync);

    [Fact]
    public async Task Messages_written_before_the_server_restarts_and_after_it_are_each_published_once()
    {
        var cluster = await Server.Value;
        using var instance = await StartInstanceAsync(TimeProvider.System);
        await WriteAsync(5);
        await WaitForAsync(async () => await UnsentAsync() == 0, "the first five published");

        // The dispatcher's pooled connections die with the server; its next passes must get past them.
        await cluster.StopAsync();
        await cluster.StartAsync(PostgresServer.Settings);
        await WaitForAsync(async () =>
        {
            await WriteAsync(5);
            return true;
        }, "the server to take writes again", whileTheServerRestarts: true);

        await WaitForAsync(async () => await UnsentAsync() == 0, "the next five published", whileTheServerRestarts: true);
        Assert.Equal(10, Names(instance).Count);
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(i => new[] { $"citizen {i}", $"citizen {i}" }).Order(), Names(instance).Order());
    }
}
