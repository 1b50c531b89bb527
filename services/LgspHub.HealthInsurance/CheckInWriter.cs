using System.Threading.Channels;

namespace LgspHub.HealthInsurance;

/// <summary>
/// Writes check-ins in groups. At a province's peak hospitals check patients in hundreds of times a second,
/// and every SQLite commit waits for the disk (about 2 ms here): one commit per check-in caps the agency at a
/// few hundred a second and queues the rest into the gateway's timeout. Here each commit takes every
/// check-in that arrived while the previous one was being written, and each request waits for the commit
/// that holds its check-in, so an answered check-in is on disk as before. EF Core has no group commit.
/// </summary>
public sealed class CheckInWriter(IServiceScopeFactory scopes, ILogger<CheckInWriter> logger) : BackgroundService
{
    private const int MaxGroup = 500;

    // Bounded, so a disk that stops keeping up pushes back on the requests instead of growing memory.
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private sealed record Pending(CheckIn CheckIn, TaskCompletionSource Written);

    /// <summary>Completes once the check-in is committed; throws if it could not be written.</summary>
    public async Task WriteAsync(CheckIn checkIn, CancellationToken cancellationToken)
    {
        var pending = new Pending(checkIn, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Written.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<Pending>(MaxGroup);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (group.Count < MaxGroup && _queue.Reader.TryRead(out var pending))
                    group.Add(pending);
                if (!await TrySaveAsync(group, stoppingToken))
                {
                    // One bad row must not fail the check-ins it was grouped with: write them one by one.
                    foreach (var pending in group)
                        await TrySaveAsync([pending], stoppingToken);
                }
                group.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            foreach (var pending in group)
                pending.Written.TrySetCanceled(stoppingToken);
            while (_queue.Reader.TryRead(out var pending))
                pending.Written.TrySetCanceled(stoppingToken);
        }
    }

    private async Task<bool> TrySaveAsync(IReadOnlyList<Pending> group, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HealthInsuranceDb>();
            db.CheckIns.AddRange(group.Select(p => p.CheckIn));
            await db.SaveChangesAsync(cancellationToken);
            foreach (var pending in group)
                pending.Written.TrySetResult();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (group.Count == 1)
            {
                logger.LogError(e, "A check-in could not be written");
                group[0].Written.TrySetException(e);
            }
            return false;
        }
    }
}
