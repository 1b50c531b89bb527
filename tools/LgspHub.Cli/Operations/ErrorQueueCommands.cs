using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using LgspHub.Cli.Machine;
using Spectre.Console;

namespace LgspHub.Cli.Operations;

/// <summary>./lgsp errors and ./lgsp replay: the messages waiting in each agency's error queues, and sending them back.</summary>
internal static partial class ErrorQueueCommands
{
    public static Command Errors(HubRepository layout)
    {
        var agency = new Argument<string?>("agency") { Description = "One agency (default: all four)", Arity = ArgumentArity.ZeroOrOne };
        var errors = new Command("errors", "For each agency (or the one named), its queues and how many messages wait in each error queue; exits 1 if an agency does not answer") { agency };
        errors.SetAction(async (parsed, cancellationToken) =>
        {
            var agencies = parsed.GetValue(agency) is { } name ? [AgencyAdmin.Agency(layout, name)] : layout.Agencies;
            var admin = new AgencyAdmin(layout);
            var table = new Table().NoBorder().AddColumn("agency").AddColumn("queue").AddColumn(new TableColumn("in error queue").RightAligned());
            var (waiting, silent) = (0L, false);
            foreach (var host in agencies)
            {
                var queues = await QueuesAsync(admin, host, cancellationToken);
                if (queues is null)
                {
                    table.AddRow(host.Name, "(no answer)", "-");
                    silent = true;
                    continue;
                }
                if (queues.Count == 0)
                    table.AddRow(host.Name, "(no queues yet)", "-");
                foreach (var (queue, messages) in queues)
                    table.AddRow(host.Name, Markup.Escape(queue), messages.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture));
                waiting += queues.Sum(q => q.Messages);
            }
            AnsiConsole.Write(table);
            if (waiting > 0)
                Say.Info($"{waiting} message(s) wait in error queues; ./lgsp replay <agency> [queue] sends them back");
            if (silent)
                throw new CliException("some agencies did not answer (see above)");
            return 0;
        });
        return errors;
    }

    public static Command Replay(HubRepository layout)
    {
        var agency = new Argument<string>("agency") { Description = "The agency whose error queues to replay" };
        var queue = new Argument<string?>("queue") { Description = "One queue (default: every queue whose error queue holds messages)", Arity = ArgumentArity.ZeroOrOne };
        queue.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } name && !QueueName().IsMatch(name))
                result.AddError($"not a queue name: {name}");
        });
        var replay = new Command("replay", "Send the messages of a queue's error queue back to the queue; without a queue, every queue of that agency whose error queue holds messages") { agency, queue };
        replay.SetAction(async (parsed, cancellationToken) =>
        {
            var host = AgencyAdmin.Agency(layout, parsed.GetValue(agency)!);
            var admin = new AgencyAdmin(layout);
            IEnumerable<string> queues;
            if (parsed.GetValue(queue) is { } one)
                queues = [one];
            else
            {
                var waiting = (await QueuesAsync(admin, host, cancellationToken) ?? throw new CliException($"{host.Name} did not list its error queues"))
                    .Where(q => q.Messages > 0).Select(q => q.Queue).ToList();
                if (waiting.Count == 0)
                    Say.Info($"no messages wait in {host.Name}'s error queues; nothing to replay");
                queues = waiting;
            }
            var failed = false;
            foreach (var name in queues)
                failed |= !await ReplayAsync(admin, host, name, cancellationToken);
            return failed ? ExitCodes.Failed : 0;
        });
        return replay;
    }

    /// <summary>Each queue of the agency and the messages in its error queue; null (with a warning) when it did not answer so.</summary>
    private static async Task<IReadOnlyList<(string Queue, long Messages)>?> QueuesAsync(AgencyAdmin admin, HubHost host, CancellationToken cancellationToken)
    {
        var answer = await admin.SendAsync(HttpMethod.Get, host.Url, "error-queues", AgencyAdmin.Timeout, cancellationToken: cancellationToken);
        if (answer.Status != System.Net.HttpStatusCode.OK)
        {
            Say.Warn(AgencyAdmin.Failure(host.Name, host.Url, answer));
            return null;
        }
        try
        {
            return [.. answer.Body!.Value.EnumerateArray().Select(q => (q.GetProperty("queue").GetString()!, q.GetProperty("messages").GetInt64()))];
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            Say.Warn($"{host.Name} answered something that is not a list of error queues");
            return null;
        }
    }

    private static async Task<bool> ReplayAsync(AgencyAdmin admin, HubHost host, string queue, CancellationToken cancellationToken)
    {
        var answer = await admin.SendAsync(HttpMethod.Post, host.Url, $"error-queues/{Uri.EscapeDataString(queue)}/replay", AgencyAdmin.ReplayTimeout, cancellationToken: cancellationToken);
        if (answer.Status == System.Net.HttpStatusCode.NotFound)
            throw new UsageException($"{host.Name} has no queue named {queue} (./lgsp errors {host.Name} lists them)");
        if (answer.Status != System.Net.HttpStatusCode.OK)
        {
            Say.Warn($"error: replay of {queue}: {AgencyAdmin.Failure(host.Name, host.Url, answer)}");
            return false;
        }
        if (answer.Body is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("replayed", out var replayed))
        {
            Say.Warn($"error: {host.Name} answered the replay of {queue} without a count");
            return false;
        }
        Console.WriteLine($"{host.Name,-18} {queue,-48} replayed {replayed}");
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex QueueName();
}
