using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using LgspHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Transactions;

/// <summary>The audit cannot take an entry now; the access it would record is refused.</summary>
public sealed class AuditUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Writes transaction records and the audit in batches in the background, then purges old ones. Records are
/// operational figures: taken without waiting, and dropped (counted) when the queue is full or a write fails for
/// good. Audit entries are evidence: whoever appends one waits until it is committed, and hears when it cannot
/// be, so the access it records is refused instead of served unaudited. Drops and write failures are counted
/// (lgsp.records.dropped, lgsp.records.write_failures), logged, and make the gateway unready for a while
/// (<see cref="RecordsHealthCheck"/>).
/// </summary>
public sealed class TransactionLog : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the writer lets a batch of records gather. Written as they came, batches under load held a few
    /// records each, and every commit rewrote the touched table and index pages to the write-ahead log and synced
    /// it: the gateway's largest cost after the proxying itself. An audit entry is written at once (its request
    /// waits), and takes the records that gathered with it.
    /// </summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// The shortest time between two commits while audit entries keep coming: accesses arriving together share one
    /// commit (group commit) instead of each paying for its own, at the price of a few milliseconds of their latency.
    /// </summary>
    private static readonly TimeSpan AuditGroupWindow = TimeSpan.FromMilliseconds(5);

    /// <summary>A failed batch is tried again after each of these, then given up (records dropped, audit appends refused).</summary>
    private static readonly TimeSpan[] RetryAfter = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)];

    private const int MaxBatch = 1_000;

    private readonly Channel<TransactionRecord> _records;
    private readonly Channel<PendingAudit> _audit;
    private readonly IServiceScopeFactory _scopes;
    private readonly BatchInserts _inserts;
    private readonly RecordOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<TransactionLog> _logger;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _writeFailures;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (long Sequence, string Hash) _head = (0, AuditChain.Genesis);
    private string? _databaseFolder;
    private long _lastTroubleAt;
    private volatile string? _trouble;
    private volatile bool _writesFailing;

    public TransactionLog(IServiceScopeFactory scopes, IOptions<RecordOptions> options, TimeProvider clock, IMeterFactory meters, ILogger<TransactionLog> logger)
    {
        (_scopes, _options, _clock, _logger) = (scopes, options.Value, clock, logger);
        _inserts = new BatchInserts(scopes);
        // Wait mode, written with TryWrite: a full queue answers false at once (DropWrite would answer true and drop unseen).
        _records = Channel.CreateBounded<TransactionRecord>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _audit = Channel.CreateBounded<PendingAudit>(new BoundedChannelOptions(_options.AuditQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var meter = meters.Create("LgspHub.Gateway");
        _dropped = meter.CreateCounter<long>("lgsp.records.dropped", description: "Transaction records dropped: the writer fell behind, the disk is short, or a write failed for good");
        _writeFailures = meter.CreateCounter<long>("lgsp.records.write_failures", description: "Batches of records and audit entries that could not be written (each is tried again before it is given up)");
    }

    /// <summary>Completes once the database's schema is in place (the writer makes it at start).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Why records or the audit are in trouble now (a recent drop or failed write), or null.</summary>
    public string? Trouble => _trouble is { } why && SinceTrouble < _options.UnreadyAfterTrouble ? why : null;

    private TimeSpan SinceTrouble => _clock.GetElapsedTime(Interlocked.Read(ref _lastTroubleAt));

    /// <summary>
    /// Whether an audit entry appended now can be stored: not while the audit queue is full, nor within a second of a
    /// failed write (after that one access may try again, and a write that succeeds opens the way for all).
    /// </summary>
    public bool AcceptsAudit =>
        _audit.Reader.Count < _options.AuditQueueCapacity
        && !(_writesFailing && SinceTrouble < TimeSpan.FromSeconds(1));

    public void Write(TransactionRecord record)
    {
        if (!_records.Writer.TryWrite(record))
            Drop(1, "the record queue is full");
    }

    /// <summary>Completes once the entries are committed, chained after the audit's last; throws <see cref="AuditUnavailableException"/> when they cannot be.</summary>
    public Task AppendAsync(IReadOnlyList<AuditEntry> entries)
    {
        var pending = new PendingAudit(entries);
        if (!_audit.Writer.TryWrite(pending))
            throw new AuditUnavailableException("The audit queue is full.");
        return pending.Committed.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            await db.EnsureSchemaAsync(_logger);
            _head = await AuditChain.HeadAsync(db, stoppingToken);
            _databaseFolder = FolderOf(db);
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
        _ready.TrySetResult();
        _logger.LogInformation("Audit chain head: entry {Sequence}, hash {Hash}", _head.Sequence, _head.Hash);

        var nextPurge = _clock.GetUtcNow();
        var records = new List<TransactionRecord>(MaxBatch);
        var audit = new List<PendingAudit>();
        var lastCommit = 0L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var auditWaiting = _audit.Reader.WaitToReadAsync(stoppingToken).AsTask();
                await Task.WhenAny(auditWaiting, _records.Reader.WaitToReadAsync(stoppingToken).AsTask());
                if (!auditWaiting.IsCompleted)
                    await Task.WhenAny(auditWaiting, Task.Delay(BatchWindow, _clock, stoppingToken));
                else if (_clock.GetElapsedTime(lastCommit) is var since && since < AuditGroupWindow)
                    await Task.Delay(AuditGroupWindow - since, _clock, stoppingToken);
                stoppingToken.ThrowIfCancellationRequested();
                lastCommit = _clock.GetTimestamp();
                Take(records, audit);
                await WriteAsync(records, audit, stoppingToken);
                if (_clock.GetUtcNow() >= nextPurge)
                {
                    nextPurge = _clock.GetUtcNow() + PurgeEvery;
                    await PurgeAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Write what the queues still hold before the process ends.
        _records.Writer.TryComplete();
        _audit.Writer.TryComplete();
        while (_records.Reader.Count + _audit.Reader.Count > 0)
        {
            Take(records, audit);
            await WriteAsync(records, audit, CancellationToken.None);
        }
        await _inserts.DisposeAsync();
        _logger.LogInformation("Audit chain head: entry {Sequence}, hash {Hash}", _head.Sequence, _head.Hash);
    }

    private void Take(List<TransactionRecord> records, List<PendingAudit> audit)
    {
        records.Clear();
        audit.Clear();
        while (records.Count < MaxBatch && _records.Reader.TryRead(out var record))
            records.Add(record);
        var entries = 0;
        while (entries < MaxBatch && _audit.Reader.TryRead(out var pending))
        {
            audit.Add(pending);
            entries += pending.Entries.Count;
        }
    }

    private async Task WriteAsync(List<TransactionRecord> records, List<PendingAudit> audit, CancellationToken stoppingToken)
    {
        if (records.Count + audit.Count == 0)
            return;
        if (records.Count > 0 && !HasDiskRoom())
        {
            // Evidence before figures: short of disk, the audit goes on and records are counted, not kept.
            Drop(records.Count, $"less than {_options.MinFreeDiskMegabytes} MB of disk is free");
            records.Clear();
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var entries = audit.SelectMany(a => a.Entries).ToList();
                // Linked inside the attempt: a failed one leaves the head where it was, and a retry links again.
                _head = await _inserts.WriteAsync(records, entries, _head);
                foreach (var pending in audit)
                    pending.Committed.TrySetResult();
                _writesFailing = false;
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _writeFailures.Add(1);
                _writesFailing = true;
                NoteTrouble("writes fail");
                if (attempt == RetryAfter.Length)
                {
                    _logger.LogError(e, "Could not write {Records} transaction records and {Entries} audit entries: given up", records.Count, audit.Sum(a => a.Entries.Count));
                    if (records.Count > 0)
                        _dropped.Add(records.Count);
                    foreach (var pending in audit)
                        pending.Committed.TrySetException(new AuditUnavailableException("The audit could not be written.", e));
                    return;
                }
                _logger.LogWarning(e, "Could not write a batch of records; trying again in {Delay}", RetryAfter[attempt]);
            }
            try
            {
                await Task.Delay(RetryAfter[attempt], _clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the last tries go on at once.
            }
        }
    }

    /// <summary>Old records and audit entries past their retention, and records past their row cap, oldest first.</summary>
    private async Task PurgeAsync()
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            var now = _clock.GetUtcNow();
            var transactionsBefore = now - _options.TransactionRetention;
            var auditBefore = now - _options.AuditRetention;
            await db.Transactions.Where(r => r.RequestInAt < transactionsBefore).ExecuteDeleteAsync();
            await db.Audit.Where(a => a.At < auditBefore).ExecuteDeleteAsync();
            if (await db.Transactions.OrderByDescending(r => r.RequestInAt).Skip(_options.MaxTransactionRecords).Select(r => (DateTimeOffset?)r.RequestInAt).FirstOrDefaultAsync() is { } cut)
                await db.Transactions.Where(r => r.RequestInAt <= cut).ExecuteDeleteAsync();
        }
        catch (Exception e) when (e is DbUpdateException or DbException or InvalidOperationException)
        {
            _logger.LogError(e, "Could not purge old records; trying again in {Minutes} minutes", PurgeEvery.TotalMinutes);
        }
    }

    private bool HasDiskRoom()
    {
        if (_options.MinFreeDiskMegabytes <= 0 || _databaseFolder is not { } folder)
            return true;
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace >= _options.MinFreeDiskMegabytes * 1024L * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return true;
        }
    }

    /// <summary>A SQLite file's folder; a server's disk is the server's to watch.</summary>
    private static string? FolderOf(GatewayDb db) =>
        db.Database.IsSqlite() && db.Database.GetDbConnection().DataSource is { Length: > 0 } file && file != ":memory:" ? Path.GetDirectoryName(Path.GetFullPath(file)) : null;

    private void Drop(int count, string why)
    {
        _dropped.Add(count);
        if (Trouble is null)
            _logger.LogError("Dropped {Count} transaction records: {Reason}", count, why);
        NoteTrouble($"records dropped: {why}");
    }

    private void NoteTrouble(string why)
    {
        _trouble = why;
        Interlocked.Exchange(ref _lastTroubleAt, _clock.GetTimestamp());
    }

    private sealed record PendingAudit(IReadOnlyList<AuditEntry> Entries)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The gateway is unready while records are dropped or writes fail, and for a while after (<see cref="RecordOptions.UnreadyAfterTrouble"/>).</summary>
public sealed class RecordsHealthCheck(TransactionLog log) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(log.Trouble is { } trouble ? HealthCheckResult.Unhealthy($"Transaction records or the audit: {trouble}.") : HealthCheckResult.Healthy());
}
