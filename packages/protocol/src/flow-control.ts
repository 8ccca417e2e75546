/**
 * HTTP/2 flow control for servers that receive bulk data: storage nodes taking pieces.
 *
 * HTTP/2 lets a sender have only as many bytes in flight per stream as the receiver's window: 64 KiB by
 * default. A node taking a 16 MiB piece would then send a WINDOW_UPDATE every 32 KiB or so, and the uplink
 * wait for each, so both sides spend their CPU on flow control instead of bytes. A server announces a larger
 * window in its SETTINGS; dcsim's server credentials carry them (`transport.server(BULK_RECEIVER_SETTINGS)`).
 */
import type { Settings } from 'node:http2';

/** 8 MiB per stream: half a 4/6/8/10 piece of a 64 MiB segment in flight. */
export const BULK_STREAM_WINDOW = 8 * 1024 * 1024;

export const BULK_RECEIVER_SETTINGS: Settings = { initialWindowSize: BULK_STREAM_WINDOW };
