using LgspHub.LocalHub;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LgspHub.AppHost;

/// <summary>
/// What a run leaves for the command line beside the dashboard: each host's console in .lgsp/logs/&lt;instance&gt;.log,
/// and once every host answers its health check, its process id in .lgsp/run/&lt;instance&gt;.pid and
/// .lgsp/run/hub.json with each instance's URL (what ./lgsp up waits for and prints). They go when the run stops.
/// </summary>
internal sealed class HubRun(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    HubSettings settings,
    ILogger<HubRun> logger) : BackgroundService
{
    private readonly HubRunFolder _run = new(settings.StateDirectory);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hosts = model.Resources.OfType<ExecutableResource>().Where(r => r.HasAnnotationOfType<HubInstanceAnnotation>()).ToList();
        var logDirectory = Path.Combine(settings.StateDirectory, "logs");
        Directory.CreateDirectory(logDirectory);
        var copies = model.Resources.OfType<ExecutableResource>().Where(r => r.HasAnnotationOfType<HubInstanceAnnotation>() || r.Name == LocalBroker.Name)
            .Select(r => CopyLogsAsync(r, Path.Combine(logDirectory, r.Name + ".log"), stoppingToken)).ToList();
        try
        {
            Directory.CreateDirectory(_run.Directory);
            foreach (var host in hosts)
            {
                var ready = await notifications.WaitForResourceHealthyAsync(host.Name, stoppingToken);
                // ./lgsp's commands that reach each instance (faults) or measure one (bench) find its process here.
                if (ready.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid)
                    await File.WriteAllTextAsync(_run.PidFile(host.Name), pid.ToString(), stoppingToken);
            }
            var urls = hosts.ToDictionary(h => h.Name, h => $"http://127.0.0.1:{h.GetEndpoint("http").Port}", StringComparer.Ordinal);
            foreach (var (agency, url) in settings.OwnAgencies)
                urls[agency] = url;
            await _run.WriteReadyAsync(urls, stoppingToken);
            logger.LogInformation("The hub is ready: the gateway at {Gateway}", urls[HubHost.GatewayName]);
            await Task.WhenAll(copies);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            File.Delete(_run.ReadyFile);
            foreach (var host in hosts)
                File.Delete(_run.PidFile(host.Name));
        }
    }

    private async Task CopyLogsAsync(IResource resource, string file, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(file, append: false) { AutoFlush = true };
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(cancellationToken))
                foreach (var line in batch)
                    await writer.WriteLineAsync(line.Content);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Marks the resources that are hosts of the hub: the gateway and each agency instance.</summary>
internal sealed class HubInstanceAnnotation : IResourceAnnotation;
