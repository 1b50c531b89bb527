using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using Yarp.ReverseProxy.Transforms;

namespace LgspHub.Gateway.Access;

/// <summary>
/// <c>X-Lgsp-Fault</c> makes an agency fail, hang or delay the request that carries it. The gateway passes it on only
/// for consumers with the fault-injection right, on every route (the anonymous OpenAPI ones included); from anyone
/// else it is dropped and the request is served as if it had never been sent.
/// </summary>
public static class FaultHeaderTransform
{
    /// <summary>The operation of the gateway's fault routes (/lgsp/faults/{agency}), and the right that lets the header through.</summary>
    public const string Right = "lgsp.inject-faults";

    public static IReverseProxyBuilder AddFaultHeaderGuard(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(context =>
        {
            var consumers = context.Services.GetRequiredService<IConsumerRegistry>();
            context.AddRequestTransform(transform =>
            {
                if (transform.HttpContext.Request.Headers.ContainsKey(HubHeaders.Fault) && !MayInjectFaults(transform.HttpContext, consumers))
                    transform.ProxyRequest.Headers.Remove(HubHeaders.Fault);
                return ValueTask.CompletedTask;
            });
        });

    /// <summary>Rights as the rights check reads them: from the consumer's current registration, at each request.</summary>
    private static bool MayInjectFaults(HttpContext context, IConsumerRegistry consumers) =>
        context.User.ConsumerId() is { } consumer
        && consumers.Find(consumer) is { } registration
        && registration.Allows(Right);
}
