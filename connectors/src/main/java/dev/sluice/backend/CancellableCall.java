package dev.sluice.backend;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A response observer that can cancel its own call. Cancelling a gRPC call is how a client tells the server it
 * gave up: the server sees the call cancelled and stops working for it; the observer then gets
 * {@code CANCELLED}.
 */
public abstract class CancellableCall<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {

    private ClientCallStreamObserver<ReqT> call;

    @Override
    public final void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
        call = requestStream;
    }

    /**
     * Sends {@code request} and half-closes, for a call that carries one request. A request that cannot be sent
     * cancels the call, so it is not left open at the server, and the failure is thrown.
     */
    public final synchronized void sendOnly(ReqT request) {
        try {
            call.onNext(request);
            call.onCompleted();
        } catch (RuntimeException e) {
            call.cancel("the request could not be sent", e);
            throw e;
        }
    }

    /** Cancels the call; nothing if it ended already. Synchronized: a call's methods are not thread-safe. */
    public final synchronized void cancel() {
        call.cancel("abandoned by the caller", null);
    }
}
