using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.ServiceDefaults.Admin;

public sealed record FaultSettings(double? ConsumerFailureRate, double? HttpFailureRate = null);

public sealed record ReplayResult(string Queue, uint Replayed);

/// <summary>
/// Operator endpoints on each agency's own port (the gateway does not route /admin): error queues
/// and their replay, and fault injection.
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin");

        admin.MapGet("/error-queues", async (ErrorQueues queues, CancellationToken cancellationToken) =>
            TypedResults.Ok(await queues.ListAsync(cancellationToken)))
            .WithSummary("This agency's queues and how many messages wait in each error queue");

        admin.MapPost("/error-queues/{queue}/replay", async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> (
            string queue, ErrorQueues queues, CancellationToken cancellationToken) =>
            !queues.Knows(queue)
                ? ApiProblems.NotFound("This agency has no queue of that name; GET /admin/error-queues lists them.")
                : TypedResults.Ok(new ReplayResult(queue, await queues.ReplayAsync(queue, cancellationToken))))
            .WithSummary("Move the messages of a queue's error queue back to the queue, to be consumed again");

        admin.MapGet("/faults", (FaultInjection faults) => TypedResults.Ok(new FaultSettings(faults.ConsumerFailureRate, faults.HttpFailureRate)));

        admin.MapPut("/faults", Results<Ok<FaultSettings>, ValidationProblem> (FaultSettings settings, FaultInjection faults) =>
            {
                var errors = new FieldErrors();
                if (settings.ConsumerFailureRate is { } consume and not (>= 0 and <= 1))
                    errors.Add("consumerFailureRate", "A rate from 0 to 1.");
                if (settings.HttpFailureRate is { } http and not (>= 0 and <= 1))
                    errors.Add("httpFailureRate", "A rate from 0 to 1.");
                if (settings.ConsumerFailureRate is null && settings.HttpFailureRate is null)
                    errors.Add("consumerFailureRate", "Give consumerFailureRate, httpFailureRate or both (0 to 1).");
                if (errors.Any)
                    return errors.Problem();
                faults.ConsumerFailureRate = settings.ConsumerFailureRate ?? faults.ConsumerFailureRate;
                faults.HttpFailureRate = settings.HttpFailureRate ?? faults.HttpFailureRate;
                return TypedResults.Ok(new FaultSettings(faults.ConsumerFailureRate, faults.HttpFailureRate));
            })
            .WithSummary("Inject faults into this agency while it runs");
        return app;
    }
}
