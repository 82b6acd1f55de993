/** DNS names the index is served at, checked by the stack configuration and by the components. */

/** A lowercase host name such as `pypi.example.com`: labels of 1-63 characters, a TLD of letters. */
export const HOST_NAME_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A Route 53 hosted zone id such as `Z0123456789ABCDEFGHIJ`. */
export const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;
