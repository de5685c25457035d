/** PocketBase's fixed id of its `_superusers` collection, which its SDK also recognises admins by. */
export const SUPERUSERS_COLLECTION_ID = 'pbc_3142635823';
