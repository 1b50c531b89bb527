namespace LgspHub.ServiceDefaults.Tests;

/// <summary>Serials drawn by concurrent units of work on one database: each number once, taken ones skipped.</summary>
public sealed class SerialTests : IAsyncLifetime
{
    private readonly TestAgencyDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

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
