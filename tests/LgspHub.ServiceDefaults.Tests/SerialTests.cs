using LgspHub.AgencyDefaults;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>
/// Serials drawn by concurrent units of work on one database: each number once, taken ones skipped; and by instances
/// with a database each (population's pods): each its own share, so never one number twice.
/// </summary>
public abstract class SerialTests(Engine engine) : IAsyncLifetime
{
    private readonly TestAgencyDatabase _database = new(engine);
    private readonly TestAgencyDatabase _other = new(engine);

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await _other.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _other.DisposeAsync();
    }

    private static async Task<List<int>> DrawAsync(TestAgencyDatabase database, int draws, int[]? taken = null)
    {
        var drawn = new List<int>();
        for (var i = 0; i < draws; i++)
        {
            await using var db = database.Open();
            drawn.Add(await db.NextSerialAsync("049226", n => Task.FromResult(taken?.Contains(n) == true), CancellationToken.None));
        }
        return drawn;
    }

    [Fact]
    public async Task Two_instances_with_databases_of_their_own_and_different_instance_settings_never_draw_the_same_serial()
    {
        await using (var db = _database.Open())
            await db.ClaimSerialPartitionAsync(new SerialOptions { Instances = 2, Instance = 0 }.Partition(), CancellationToken.None);
        await using (var db = _other.Open())
            await db.ClaimSerialPartitionAsync(new SerialOptions { Instances = 2, Instance = 1 }.Partition(), CancellationToken.None);
        int[] seeded = [3, 4, 8];   // the same seed in both: numbers the province already gave

        var first = await DrawAsync(_database, 50, seeded);
        var second = await DrawAsync(_other, 50, seeded);

        Assert.Empty(first.Intersect(second));
        Assert.Equal(100, first.Concat(second).Distinct().Count());
        Assert.DoesNotContain(first.Concat(second), seeded.Contains);
        // Each takes every other number, so the serials stay as short as one counter's.
        Assert.Equal([1, 5, 7, 9], first.Take(4));
        Assert.Equal([2, 6, 10, 12], second.Take(4));
    }

    [Fact]
    public async Task Without_a_share_each_database_counts_from_one_which_is_why_separate_databases_need_shares()
    {
        Assert.Equal(await DrawAsync(_database, 3), await DrawAsync(_other, 3));
    }

    [Fact]
    public async Task A_database_refuses_a_host_configured_for_another_share_than_the_one_it_started_with()
    {
        await using var db = _database.Open();
        await db.ClaimSerialPartitionAsync(new SerialOptions { Instances = 2, Instance = 1 }.Partition(), CancellationToken.None);

        await db.ClaimSerialPartitionAsync(new SerialOptions { Instances = 2, Instance = 1 }.Partition(), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.ClaimSerialPartitionAsync(SerialPartition.Whole, CancellationToken.None));

        Assert.Contains("instance 1 of 2", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(2, 2)]
    [InlineData(2, -1)]
    [InlineData(1, 1)]
    [InlineData(0, null)]
    public void Settings_that_leave_an_instances_share_in_doubt_are_refused(int instances, int? instance)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new SerialOptions { Instances = instances, Instance = instance }.Partition());

        Assert.Contains("Lgsp__Serials__", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_units_of_work_never_draw_the_same_serial()
    {
        const int writers = 8, draws = 25;
        var drawn = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            var mine = new List<int>();
            for (var i = 0; i < draws; i++)
            {
                // A context per draw, as each consumed message has its own.
                await using var db = _database.Open();
                mine.Add(await db.NextSerialAsync("KS-20815-2026", _ => Task.FromResult(false), CancellationToken.None));
            }
            return mine;
        })));

        Assert.Equal(Enumerable.Range(1, writers * draws), drawn.SelectMany(d => d).Order());
    }

    [Fact]
    public async Task Numbers_already_taken_are_skipped_and_prefixes_count_apart()
    {
        await using var db = _database.Open();
        int[] seeded = [1, 2, 4];

        var first = await db.NextSerialAsync("040126", n => Task.FromResult(seeded.Contains(n)), CancellationToken.None);
        var second = await db.NextSerialAsync("040126", n => Task.FromResult(seeded.Contains(n)), CancellationToken.None);
        var elsewhere = await db.NextSerialAsync("049126", _ => Task.FromResult(false), CancellationToken.None);

        Assert.Equal((3, 5, 1), (first, second, elsewhere));
    }
}

public sealed class SerialTestsOnSqlite() : SerialTests(Engine.Sqlite);

public sealed class SerialTestsOnPostgres() : SerialTests(Engine.Postgres);
