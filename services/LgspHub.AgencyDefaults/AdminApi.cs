using System.Text.Json;
using LgspHub.Faults;
using LgspHub.Messaging;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace LgspHub.AgencyDefaults;

public sealed record ReplayResult(string Queue, uint Replayed);

/// <summary>
/// Operator endpoints on each agency's own port: error queues and their replay, and fault injection
/// (which the gateway also routes, as /lgsp/faults/{agency}, to consumers with the lgsp.inject-faults right).
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin");

        admin.MapGet("/error-queues", async (ErrorQueues queues, CancellationToken cancellationToken) =>
            TypedResults.Ok(await queues.ListAsync(cancellationToken)))
            .WithName("admin.list-error-queues")
            .WithSummary("This agency's queues and how many messages wait in each error queue")
            .WithDescription("Each queue this agency consumes, its error queue (<queue>_error, where a message lands once its retries and redeliveries are spent) and the messages waiting in both.");

        admin.MapPost("/error-queues/{queue}/replay", async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> (
            string queue, ErrorQueues queues, CancellationToken cancellationToken) =>
            !queues.Knows(queue)
                ? ApiProblems.NotFound("This agency has no queue of that name; GET /admin/error-queues lists them.")
                : TypedResults.Ok(new ReplayResult(queue, await queues.ReplayAsync(queue, cancellationToken))))
            .WithName("admin.replay-error-queue")
            .WithSummary("Move the messages of a queue's error queue back to the queue, to be consumed again")
            .WithDescription("Moves every message of <queue>_error back to <queue> and says how many; the consumers being idempotent, a message already applied changes nothing. A queue this agency does not consume is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapGet("/faults", (FaultInjection faults) => TypedResults.Ok(faults.Current))
            .WithName("admin.read-faults")
            .WithSummary("The faults injected into this agency")
            .WithDescription("The outage, latency, error and timeout shares injected into this agency's /api requests and its consumers, as they are now.");

        admin.MapPut("/faults", Results<Ok<FaultSettings>, ValidationProblem> (JsonElement? body, FaultInjection faults) =>
            {
                var errors = new FieldErrors();
                // Merged under the settings' lock: two PUTs at once each keep the other's fields.
                var changed = faults.Update(current => FaultSettingsUpdate.Merge(current, body ?? default, errors));
                return changed is null ? errors.Problem() : TypedResults.Ok(changed);
            })
            .WithName("admin.change-faults")
            .WithSummary("Change the faults injected into this agency while it runs: the fields given, the others kept")
            .WithDescription("Merges the fields given into the injected faults and answers them all; a field out of range is a 400 naming it, and nothing changes.");

        admin.MapDelete("/faults", (FaultInjection faults) => TypedResults.Ok(faults.Update(_ => FaultSettings.Off)!))
            .WithName("admin.clear-faults")
            .WithSummary("Turn every injected fault off, the outage included")
            .WithDescription("Back to no injected fault at all; answers the settings, now all off.");
        return app;
    }
}
